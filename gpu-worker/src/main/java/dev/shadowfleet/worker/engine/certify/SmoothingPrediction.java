package dev.shadowfleet.worker.engine.certify;

/**
 * The outcome of PREDICT (Cohen, Rosenfeld &amp; Kolter 2019) for one input.
 *
 * @param label the predicted class, or {@link SmoothingCertificate#ABSTAIN} (−1)
 * @param top the most frequent class (reported even when abstaining)
 * @param countTop its count among the n samples
 * @param countSecond the count of the runner-up
 * @param pValue two-sided binomial test of countTop out of countTop + countSecond at ½
 * @param n noise samples
 * @param alpha level: the prediction is returned when pValue ≤ alpha
 */
public record SmoothingPrediction(
    int label, int top, int countTop, int countSecond, double pValue, int n, double alpha) {

  public boolean abstained() {
    return label == SmoothingCertificate.ABSTAIN;
  }
}

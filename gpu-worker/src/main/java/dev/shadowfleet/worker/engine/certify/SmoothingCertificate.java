package dev.shadowfleet.worker.engine.certify;

/**
 * The outcome of CERTIFY (Cohen, Rosenfeld &amp; Kolter 2019) for one input.
 *
 * @param label the certified class, or {@link #ABSTAIN} (−1)
 * @param radius certified ℓ2 radius σ·Φ⁻¹(pALower) in [0,1] pixel space; 0 when abstaining
 * @param pALower one-sided (1−α) Clopper–Pearson lower bound of the top class's probability
 * @param selected the class chosen from the n0 selection samples (reported even when abstaining)
 * @param countTop estimation samples (out of n) classified as {@code selected}
 * @param n estimation samples
 * @param n0 selection samples
 * @param alpha failure probability
 * @param sigma noise level
 * @param seed the noise seed of the call that produced it
 */
public record SmoothingCertificate(
    int label,
    double radius,
    double pALower,
    int selected,
    int countTop,
    int n,
    int n0,
    double alpha,
    double sigma,
    long seed) {

  public static final int ABSTAIN = -1;

  public boolean abstained() {
    return label == ABSTAIN;
  }
}

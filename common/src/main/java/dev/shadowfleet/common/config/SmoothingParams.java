package dev.shadowfleet.common.config;

import static dev.shadowfleet.common.config.ParameterException.require;

/**
 * Randomized-smoothing certification (Cohen, Rosenfeld &amp; Kolter 2019), validated when built.
 *
 * @param n0 noise samples for selecting the top class (paper: 100)
 * @param n noise samples for estimating its probability (paper: 100,000)
 * @param alpha failure probability of the certificate (paper: 0.001)
 * @param batchSize noisy samples per forward pass (sized to memory)
 * @param mode select-then-certify (authors' budget) or certify every attacked image in full
 */
public record SmoothingParams(int n0, int n, double alpha, int batchSize, CertifyMode mode) {

  public static final SmoothingParams PAPER =
      new SmoothingParams(100, 100_000, 0.001, 1_000, CertifyMode.SELECT_THEN_CERTIFY);

  public SmoothingParams {
    require(n0 >= 1, "n0", "≥ 1", n0);
    require(n >= 1 && n <= 100_000_000, "n", "in [1, 100000000]", n);
    require(Double.isFinite(alpha) && alpha > 0 && alpha < 1, "alpha", "in (0, 1)", alpha);
    require(batchSize >= 1, "batchSize", "≥ 1", batchSize);
    require(mode != null, "mode", "one of SELECT_THEN_CERTIFY, CERTIFY_ALL", mode);
    // With k = n (unanimous votes) the Clopper–Pearson lower bound is α^(1/n): if that is ≤ ½ the
    // certifier abstains on every input, so the run could never give an answer.
    double best = Math.pow(alpha, 1.0 / n);
    if (best <= 0.5) {
      throw new ParameterException(
          "n",
          "`n` = " + n + " is too small for `alpha` = " + alpha
              + ": even unanimous votes give p_A lower = α^(1/n) = " + best + " ≤ ½, so every input abstains");
    }
  }

  /** The cheap screening budget of select-then-certify: n0 selection, 2·n0 estimation samples. */
  public SmoothingParams screening() {
    return new SmoothingParams(n0, 2 * n0, alpha, batchSize, mode);
  }
}

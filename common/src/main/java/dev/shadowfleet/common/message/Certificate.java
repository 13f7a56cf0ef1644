package dev.shadowfleet.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A certificate for one image: randomized smoothing (label + ℓ2 radius, or abstain) or interval
 * bounds (certified at ε or not).
 *
 * @param label certified (RS) or predicted (IBP) label; {@code -1} when randomized smoothing abstains
 * @param certified a certificate was issued (RS: not ABSTAIN and radius &gt; 0; IBP: all margins &gt; 0)
 * @param radius RS: σ·Φ⁻¹(p_A lower) (0 when abstaining); IBP: ε when certified, else 0
 * @param pALower RS: one-sided Clopper–Pearson lower bound of p_A
 * @param count RS: votes for {@code label} among the estimation samples
 * @param samples RS: estimation samples n (a screening certificate has n = 2·n0)
 * @param marginLowerBound IBP: the worst lower bound of z_label − z_j
 * @param method {@code rs}, {@code rs-screening}, {@code ibp} or {@code crown-ibp}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Certificate(
    int label,
    boolean certified,
    double radius,
    Double pALower,
    Integer count,
    Integer samples,
    Double marginLowerBound,
    String method) {

  public static final int ABSTAIN = -1;

  public Certificate {
    if (label < ABSTAIN) {
      throw new MessageException("label", "`label` must be ≥ -1 (−1 = abstain), got " + label);
    }
    if (!Double.isFinite(radius) || radius < 0) {
      throw new MessageException("radius", "`radius` must be finite and ≥ 0, got " + radius);
    }
    if (method == null || method.isBlank()) {
      throw new MessageException("method", "`method` is required");
    }
  }

  public boolean abstained() {
    return label == ABSTAIN;
  }
}

package dev.shadowfleet.worker.engine.attack;

/**
 * A certificate as the runner compares them, for either certifier.
 *
 * @param label certified label, or {@link #ABSTAIN}
 * @param radius randomized smoothing: σ·Φ⁻¹(p_A lower) (0 when abstaining); IBP: ε when certified,
 *     else 0
 * @param issued a certificate was issued (smoothing: not ABSTAIN and radius &gt; 0; IBP: certified at ε)
 * @param pALower smoothing: the Clopper–Pearson lower bound of p_A; IBP: the worst margin lower bound
 * @param samples smoothing: selection + estimation samples used; IBP: 0
 * @param millis wall time of this certification
 */
public record Certificate(
    int label, double radius, boolean issued, double pALower, long samples, long millis) {
  public static final int ABSTAIN = -1;

  public boolean abstained() {
    return label == ABSTAIN;
  }
}

package dev.shadowfleet.common.config;

/** Variant of the colour penalty C(δ) (ALGORITHM.md, "The objective"). */
public enum ColorPenalty {
  /** Paper eq. 3: ‖(mean|δ_1|, …, mean|δ_C|)‖₂. */
  L2,
  /** The authors' code (produced Table 1): the square of {@link #L2}. */
  L2_SQUARED,
  /** Paper §5 (IBP experiments): ‖δ‖₂ over all entries of δ. */
  DELTA_L2
}

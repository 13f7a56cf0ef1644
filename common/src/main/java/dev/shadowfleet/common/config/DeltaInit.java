package dev.shadowfleet.common.config;

/** How δ starts (ALGORITHM.md, "Optimisation"). */
public enum DeltaInit {
  /** δ ~ Uniform[−0.5, 0.5], seeded per job (authors' code). */
  UNIFORM,
  /** δ = 0. */
  ZERO
}

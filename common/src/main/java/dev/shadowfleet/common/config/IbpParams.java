package dev.shadowfleet.common.config;

import static dev.shadowfleet.common.config.ParameterException.require;

/**
 * Interval-bound certification of an IBP / CROWN-IBP network.
 *
 * @param epsilon ℓ∞ radius in [0,1] pixel space; {@code null} means the model's ε
 * @param method IBP, or CROWN-IBP mixed with IBP by {@code beta}
 * @param beta weight of the CROWN-IBP bound in β·CROWN-IBP + (1−β)·IBP, in [0,1]
 */
public record IbpParams(Double epsilon, BoundMethod method, double beta) {

  public static final IbpParams DEFAULT = new IbpParams(null, BoundMethod.IBP, 0.0);

  public IbpParams {
    require(
        epsilon == null || (Double.isFinite(epsilon) && epsilon > 0 && epsilon < 1),
        "epsilon",
        "in (0, 1) (or absent)",
        epsilon);
    require(method != null, "method", "one of IBP, CROWN_IBP", method);
    require(Double.isFinite(beta) && beta >= 0 && beta <= 1, "beta", "in [0, 1]", beta);
  }
}

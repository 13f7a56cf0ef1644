package dev.shadowfleet.worker.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What certificate a model issues: {@code smoothed} (randomized smoothing at noise level σ) or
 * {@code ibp} (interval-bound certified at ℓ∞ radius ε).
 *
 * @param type {@code "smoothed"} or {@code "ibp"}
 * @param sigma σ for smoothed models, else {@code null}
 * @param epsilon ε for IBP models, else {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelKind(String type, Double sigma, Double epsilon) {
  public static final String SMOOTHED = "smoothed";
  public static final String IBP = "ibp";

  public ModelKind {
    if (SMOOTHED.equals(type)) {
      if (sigma == null || !(sigma > 0) || epsilon != null) {
        throw new IllegalArgumentException("kind smoothed needs sigma > 0 and no epsilon, got " + sigma);
      }
    } else if (IBP.equals(type)) {
      if (epsilon == null || !(epsilon > 0 && epsilon < 1) || sigma != null) {
        throw new IllegalArgumentException("kind ibp needs epsilon in (0,1) and no sigma, got " + epsilon);
      }
    } else {
      throw new IllegalArgumentException("kind.type must be smoothed or ibp, got " + type);
    }
  }

  public static ModelKind smoothed(double sigma) {
    return new ModelKind(SMOOTHED, sigma, null);
  }

  public static ModelKind ibp(double epsilon) {
    return new ModelKind(IBP, null, epsilon);
  }

  public boolean isSmoothed() {
    return SMOOTHED.equals(type);
  }

  public boolean isIbp() {
    return IBP.equals(type);
  }
}

package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.worker.engine.certify.RandomizedSmoothingCertifier;
import dev.shadowfleet.worker.engine.certify.SmoothingCertificate;
import dev.shadowfleet.worker.engine.model.Classifier;

/** Randomized-smoothing CERTIFY (Cohen et al.): full budget, or the n0 + 2·n0 screening budget. */
public final class SmoothingImageCertifier implements ImageCertifier {
  private final RandomizedSmoothingCertifier certifier;
  private final SmoothingParams params;

  public SmoothingImageCertifier(Classifier model, double sigma, SmoothingParams params) {
    this.certifier = new RandomizedSmoothingCertifier(model, sigma);
    this.params = params;
  }

  @Override
  public Certificate certify(NDArray image, long seed) {
    return run(image, params, seed);
  }

  @Override
  public Certificate screen(NDArray image, long seed) {
    return run(image, params.screening(), seed);
  }

  private Certificate run(NDArray image, SmoothingParams budget, long seed) {
    long start = System.nanoTime();
    SmoothingCertificate c;
    try (NDManager scope = image.getManager().newSubManager()) {
      NDArray batch = image.expandDims(0);
      batch.attach(scope);
      c = certifier.certify(batch, budget, seed).get(0);
    }
    return new Certificate(c.label(), c.radius(), !c.abstained() && c.radius() > 0, c.pALower(),
        (long) budget.n0() + budget.n(), (System.nanoTime() - start) / 1_000_000);
  }
}

package dev.shadowfleet.worker.engine.attack;

import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelKind;

/** The certifier a model's kind calls for: randomized smoothing at σ, or interval bounds at ε. */
public final class Certifiers {
  private Certifiers() {}

  public static ImageCertifier forModel(
      LoadedModel model, SmoothingParams smoothing, IbpParams ibp) {
    ModelKind kind = model.card().kind();
    if (kind.isIbp()) {
      return new IntervalImageCertifier(model.requireNetwork(), ibp);
    }
    return smoothing(model, kind.sigma(), smoothing);
  }

  private static ImageCertifier smoothing(LoadedModel model, double sigma, SmoothingParams params) {
    return new SmoothingImageCertifier(model.classifier(), sigma, params);
  }
}

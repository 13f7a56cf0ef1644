package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.worker.engine.model.Classifier;
import java.util.List;

final class IntervalSpoof implements SpoofingLoss {
  IntervalSpoof(AttackParams params, Classifier model, double epsilon) {}
  static void checkModel(AttackParams params, Classifier model) {}
  public int samplesPerTarget() { return 1; }
  public NDArray sampleLosses(List<Segment> segments) { throw new UnsupportedOperationException(); }
}

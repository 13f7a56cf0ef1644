package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.config.SpoofLoss;
import dev.shadowfleet.worker.engine.certify.IbpCertifier;
import dev.shadowfleet.worker.engine.certify.IntervalBounds;
import dev.shadowfleet.worker.engine.certify.UnsupportedLayerException;
import dev.shadowfleet.worker.engine.model.Classifier;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * L_spoof against an interval-bound certified network (paper §5). {@code ROBUST_CE}: with m_j lower
 * bounds of z_t − z_j over the box B(x+δ, ε) ∩ [0,1] (m_t = 0), L = CE(−m, t), the certified-training
 * loss of Gowal et al. / Zhang et al.; bounds from IBP, or β·CROWN-IBP + (1−β)·IBP. {@code PLAIN_CE}:
 * CE(f(x+δ), t). One sample per target.
 */
final class IntervalSpoof implements SpoofingLoss {
  private final AttackParams params;
  private final Classifier model;
  private final double epsilon;

  IntervalSpoof(AttackParams params, Classifier model, double epsilon) {
    this.params = params;
    this.model = model;
    this.epsilon = epsilon;
  }

  /** Refuses, before any compute, a robust loss on a model the bound engine cannot walk. */
  static void checkModel(AttackParams params, Classifier model) {
    if (params.spoofLoss() != SpoofLoss.ROBUST_CE) {
      return;
    }
    if (!(model instanceof SequentialNetwork net)) {
      throw new ParameterException(
          "spoofLoss",
          "`spoofLoss` ROBUST_CE needs interval bounds, which need a sequential network; model "
              + model.card().id() + " is " + model.getClass().getSimpleName() + " (use PLAIN_CE)");
    }
    try {
      IntervalBounds.checkSupported(net);
    } catch (UnsupportedLayerException e) {
      throw new ParameterException("spoofLoss", "`spoofLoss` ROBUST_CE: " + e.getMessage());
    }
  }

  @Override
  public int samplesPerTarget() {
    return 1;
  }

  @Override
  public NDArray sampleLosses(List<Segment> segments) {
    List<NDArray> centers = new ArrayList<>();
    int[] labels = new int[segments.size()];
    for (int i = 0; i < labels.length; i++) {
      centers.add(segments.get(i).center());
      labels[i] = segments.get(i).target();
    }
    NDArray x = NDArrays.stack(new NDList(centers));
    if (params.spoofLoss() == SpoofLoss.PLAIN_CE) {
      return SpoofingLoss.crossEntropy(model.logits(x), labels);
    }
    SequentialNetwork net = (SequentialNetwork) model;
    NDArray t = x.getManager().create(labels).toType(DataType.INT64, false);
    NDArray m = IbpCertifier.bounds(net, x, epsilon, t, params.boundMethod(), params.beta());
    return SpoofingLoss.crossEntropy(m.neg(), labels);
  }
}

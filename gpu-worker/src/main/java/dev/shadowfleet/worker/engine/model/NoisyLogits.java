package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

/**
 * Logits of one centre image plus each of a fixed stack of noise images η (B×C×H×W), range by range:
 * what the randomized-smoothing spoofing loss evaluates for every target and micro-batch. A classifier
 * may precompute what depends on the noise alone ({@link SequentialNetwork} does); close it to free
 * that.
 */
public interface NoisyLogits extends AutoCloseable {

  /**
   * Logits (to − from)×K of {@code center} + η_b for b in [from, to), differentiable in the centre,
   * attached to the centre's manager.
   *
   * @param center C×H×W
   */
  NDArray logits(NDArray center, int from, int to);

  /**
   * Backpropagates {@code loss}, a scalar computed from the logits returned since the last call, to
   * the centres. The default is one autograd pass; an implementation that cut its graph to compute
   * some layers' input gradients itself finishes them here.
   */
  default void backward(GradientCollector gc, NDArray loss) {
    gc.backward(loss);
  }

  @Override
  void close();
}

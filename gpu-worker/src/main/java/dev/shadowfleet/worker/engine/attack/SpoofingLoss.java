package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;

/**
 * L_spoof of one micro-batch: the samples of several targets on the batch axis. Each target owns
 * {@link #samplesPerTarget()} consecutive samples (B noise copies for randomized smoothing, one box
 * for interval bounds); a micro-batch may cover part of a target's samples.
 */
public interface SpoofingLoss extends AutoCloseable {

  /**
   * Samples [from, to) of one target, all centred on x + δ_t.
   *
   * @param target the target class t
   * @param center x + δ_t (δ repeated over channels in 1-channel mode), C×H×W, differentiable in δ
   * @param from first sample of this target covered by the micro-batch
   * @param to one past the last
   */
  record Segment(int target, NDArray center, int from, int to) {}

  /** B for randomized smoothing, 1 for interval bounds and plain cross-entropy. */
  int samplesPerTarget();

  /**
   * The loss of every sample of the micro-batch, already divided by {@link #samplesPerTarget()} so
   * that a target's samples sum to its L_spoof. Attached to the segments' manager.
   */
  NDArray sampleLosses(List<Segment> segments);

  /** Backpropagates the sum of {@code losses} (from {@link #sampleLosses}) to the centres. */
  default void backward(GradientCollector gc, NDArray losses) {
    gc.backward(losses.sum());
  }

  /** Frees what the loss keeps between micro-batches (nothing by default). */
  @Override
  default void close() {}

  /** Cross-entropy CE(z_i, labels_i) per row of {@code logits} (N×K), in the logits' manager. */
  static NDArray crossEntropy(NDArray logits, int[] labels) {
    long k = logits.getShape().get(1);
    float[] oneHot = new float[(int) (labels.length * k)];
    for (int i = 0; i < labels.length; i++) {
      oneHot[(int) (i * k) + labels[i]] = 1f;
    }
    NDManager m = logits.getManager();
    NDArray mask = m.create(oneHot, new Shape(labels.length, k)).toType(logits.getDataType(), false);
    return logits.logSoftmax(1).mul(mask).sum(new int[] {1}).neg();
  }
}

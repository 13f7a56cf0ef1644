package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * An image classifier f with its input normalization inside: logits for pixels in [0,1]. The
 * computation is a DJL autograd graph, so gradients flow back to the input (the attack needs them).
 */
public interface Classifier {

  /** The card that describes this model (shape, normalization, classes, kind, provenance). */
  ModelCard card();

  /**
   * Logits N×K for a batch N×C×H×W of pixels in [0,1] (noise may push them outside; no clipping).
   * The result is attached to the input's manager.
   */
  NDArray logits(NDArray pixels);

  /**
   * Logits around fixed noise images (B×C×H×W). The default adds centre and noise and runs {@link
   * #logits}; a classifier may do better by linearity.
   */
  default NoisyLogits aroundNoise(NDArray noise) {
    return new NoisyLogits() {
      @Override
      public NDArray logits(NDArray center, int from, int to) {
        NDManager m = center.getManager();
        NDArray eta = noise.get(new NDIndex("{}:{}", from, to));
        eta.attach(m);
        return Classifier.this.logits(eta.add(center));
      }

      @Override
      public void close() {}
    };
  }
}

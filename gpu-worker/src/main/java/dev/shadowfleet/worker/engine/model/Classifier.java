package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;

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
}

package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A sequential Conv/Linear/ReLU/Flatten network with its normalization as the first layer: the
 * form both certifiers and the trainer work on. Weights live in the manager of whoever built it
 * (the model cache, or a training run).
 */
public final class SequentialNetwork implements Classifier {
  private final ModelCard card;
  private final Layer.Normalize normalize;
  private final List<Layer> layers;

  /**
   * @param card the model's card
   * @param normalize the input normalization
   * @param layers the layers after normalization, in order
   */
  public SequentialNetwork(ModelCard card, Layer.Normalize normalize, List<Layer> layers) {
    this.card = card;
    this.normalize = normalize;
    this.layers = List.copyOf(layers);
  }

  @Override
  public ModelCard card() {
    return card;
  }

  /** The normalization applied before {@link #layers()}. */
  public Layer.Normalize normalize() {
    return normalize;
  }

  /** The layers after normalization, in order (the bound engine walks them). */
  public List<Layer> layers() {
    return layers;
  }

  @Override
  public NDArray logits(NDArray pixels) {
    NDArray h = normalize.forward(pixels);
    for (Layer layer : layers) {
      h = layer.forward(h);
    }
    return h;
  }

  /**
   * Splits the noisy input across the affine layers before the first ReLU ({@link AffineNoiseShift}):
   * exact algebra, the values agree with {@link #logits} of centre + η to rounding.
   */
  @Override
  public NoisyLogits aroundNoise(NDArray noise) {
    int n = AffineNoiseShift.affinePrefix(layers);
    if (n == 0) {
      return Classifier.super.aroundNoise(noise);
    }
    return new AffineNoiseShift(normalize, layers.subList(0, n), layers.subList(n, layers.size()), noise);
  }
}

package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A layer of a {@link SequentialNetwork}: the few types interval-bound propagation can walk. Weights
 * are NDArrays in PyTorch layout (conv: out×in×k×k; linear: out×in).
 */
public sealed interface Layer {

  NDArray forward(NDArray x);

  /** Per-channel (x − mean)/std, the model's input normalization (mean/std shaped C×1×1). */
  record Normalize(NDArray mean, NDArray std) implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      return x.sub(mean).div(std);
    }
  }

  /** 2-D convolution with square kernel, equal stride and zero padding on both axes. */
  record Conv2d(NDArray weight, NDArray bias, int stride, int padding) implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      return ai.djl.nn.convolutional.Conv2d.conv2d(
              x,
              weight,
              bias,
              new Shape(stride, stride),
              new Shape(padding, padding),
              new Shape(1, 1),
              1)
          .singletonOrThrow();
    }
  }

  /** y = x·Wᵀ + b. */
  record Linear(NDArray weight, NDArray bias) implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
  }

  record Relu() implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      return x.maximum(0f);
    }
  }

  /** N×… → N×(product of the rest). */
  record Flatten() implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      return x.reshape(x.getShape().get(0), -1);
    }
  }
}

package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

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

  /**
   * 2-D convolution with square kernel, equal stride and zero padding on both axes ({@code bias} may
   * be null). Under a gradient collector with frozen weights (the attack: only the input gets a
   * gradient), a strided convolution runs on CPU as the equivalent stride-1 convolution over the
   * input's phases ({@link PhaseConv}): libtorch's own input gradient of a strided convolution is
   * several times slower there. Values agree to rounding. Without a collector (certification) or with
   * trainable weights (training) libtorch's convolution runs as is.
   */
  record Conv2d(NDArray weight, NDArray bias, int stride, int padding) implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      if (PhaseConv.pays(weight, stride) && inputGradientOnCpu(x)) {
        return PhaseConv.conv(x, weight, bias, stride, padding);
      }
      return direct(x, weight, bias, stride, padding);
    }

    /**
     * Whether this layer runs as the attack runs it on CPU: under a gradient collector with frozen
     * weights, so only its input gets a gradient, the case libtorch's oneDNN kernels handle slowly.
     */
    boolean inputGradientOnCpu(NDArray x) {
      return !x.getDevice().isGpu() && JniUtils.isGradMode() && !weight.hasGradient();
    }

    /** The convolution as libtorch computes it, whatever the device and gradient needs. */
    static NDArray direct(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
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

  /**
   * max(x, 0) as libtorch's relu: its backward is one mask, where {@code maximum(x, 0)}'s costs several
   * full-size passes (and splits the gradient at exactly 0, relu gives 0 there, as PyTorch's ReLU).
   */
  record Relu() implements Layer {
    @Override
    public NDArray forward(NDArray x) {
      return ai.djl.nn.Activation.relu(x);
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

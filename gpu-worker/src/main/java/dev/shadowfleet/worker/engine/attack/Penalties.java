package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import dev.shadowfleet.common.config.ColorPenalty;
import dev.shadowfleet.worker.engine.autograd.Scalars;

/**
 * The three smoothness penalties of the Shadow Attack (ALGORITHM.md, "The objective"), one value per
 * perturbation. Every method takes perturbations shaped N×C×H×W (N targets) and returns an N-vector;
 * all are DJL computations, so autograd gives their gradients.
 *
 * <p>The attack evaluates them on the perturbation actually added to the image: in 1-channel mode δ
 * (1×H×W) is first repeated over the C channels, so TV is C times the single-channel value, as in the
 * authors' code (and C(δ) is evaluated on the same repeated tensor).
 */
public final class Penalties {
  private static final int[] CHW = {1, 2, 3};

  private Penalties() {}

  /**
   * Anisotropic total variation with squared differences: Σ_c Σ_{i,j} (δ[i+1,j] − δ[i,j])² +
   * (δ[i,j+1] − δ[i,j])², over the pairs inside the image.
   */
  public static NDArray tv(NDArray delta) {
    NDArray down = delta.get(":, :, 1:, :").sub(delta.get(":, :, :-1, :"));
    NDArray right = delta.get(":, :, :, 1:").sub(delta.get(":, :, :, :-1"));
    return down.square().sum(CHW).add(right.square().sum(CHW));
  }

  /**
   * The colour penalty C(δ): {@code L2} = ‖(mean|δ_1|, …, mean|δ_C|)‖₂ (paper eq. 3), {@code
   * L2_SQUARED} = its square (authors' code), {@code DELTA_L2} = ‖δ‖₂ over all entries (paper §5).
   */
  public static NDArray color(NDArray delta, ColorPenalty variant) {
    return switch (variant) {
      case L2 -> l2(channelMeanAbs(delta));
      case L2_SQUARED -> channelMeanAbs(delta).square().sum(new int[] {1});
      case DELTA_L2 -> l2(delta);
    };
  }

  /** N×C: mean |δ_c| per channel (PyTorch's DJL mean takes one axis, so sum over H, W and divide). */
  private static NDArray channelMeanAbs(NDArray delta) {
    long pixels = delta.getShape().get(2) * delta.getShape().get(3);
    return Scalars.div(delta.abs().sum(new int[] {2, 3}), pixels);
  }

  /**
   * Channel dissimilarity ‖Σ_{a<b} (δ_a − δ_b)²‖₂, the ℓ2 norm over pixels of the summed squared
   * channel differences (for RGB: (δR−δG)² + (δR−δB)² + (δG−δB)²). Zero for a single channel.
   */
  public static NDArray dissim(NDArray delta) {
    long channels = delta.getShape().get(1);
    NDArray sum = null;
    for (long a = 0; a < channels; a++) {
      for (long b = a + 1; b < channels; b++) {
        NDArray d = delta.get(":, {}, :, :", a).sub(delta.get(":, {}, :, :", b)).square();
        sum = sum == null ? d : sum.add(d);
      }
    }
    if (sum == null) {
      return Scalars.mul(delta.sum(CHW), 0);
    }
    return l2(sum);
  }

  /**
   * ℓ2 norm of each row over all non-batch axes. PyTorch's vector norm has gradient 0 at 0 (a
   * zero-initialised δ would otherwise get NaN from d√u/du at u = 0).
   */
  private static NDArray l2(NDArray perSample) {
    return perSample.reshape(perSample.getShape().get(0), -1).norm(new int[] {1});
  }
}

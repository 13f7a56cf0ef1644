package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The phase rewrite of a strided convolution against libtorch's own convolution: same output and same
 * input gradient, on shapes that exercise every branch (kernel a multiple of the stride or not, padded
 * input longer or shorter than s·(out + m − 1), odd sides, several channels, no bias).
 *
 * <p>Tolerance: 1e-5 relative to the largest magnitude. Both are float32 sums of C·k² ≤ 48 products of
 * O(1) terms taken in a different order, so they differ by a few ulps (≈ 1e-7 relative); an index
 * error (a shifted phase, a swapped kernel tap, a lost padding row) changes values by O(1).
 */
class PhaseConvTest {

  @ParameterizedTest
  @CsvSource({
    // channels, out, side, kernel, stride, padding, bias
    "1, 8, 28, 4, 2, 1, true",
    "3, 5, 16, 4, 2, 1, true",
    "1, 4, 27, 3, 2, 1, true", // k not a multiple of s; padded side 29 > s·(out + m − 1) = 28
    "2, 3, 11, 5, 3, 2, false", // s = 3, k = 5 (m = 2), no bias
    "1, 6, 13, 4, 2, 0, true", // no padding, odd side
    "4, 2, 9, 2, 2, 0, true", // k = s: a 1×1 kernel over the phases
  })
  void matchesDirectConvolutionAndItsInputGradient(
      int c, int o, int side, int k, int s, int p, boolean withBias) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      NDArray x = m.randomNormal(new Shape(3, c, side, side));
      NDArray w = m.randomNormal(new Shape(o, c, k, k));
      NDArray b = withBias ? m.randomNormal(new Shape(o)) : null;
      NDArray probe = null; // a fixed random cotangent for the output
      float[][] direct = run(x, w, b, s, p, false, probe);
      probe = m.randomNormal(new Shape((long) direct[2][0], (long) direct[2][1], (long) direct[2][2],
          (long) direct[2][3]));
      direct = run(x, w, b, s, p, false, probe);
      float[][] phase = run(x, w, b, s, p, true, probe);
      assertArrayEquals(direct[2], phase[2], "output shape");
      close(direct[0], phase[0], "output");
      close(direct[1], phase[1], "input gradient");
    }
  }

  /**
   * The phase form of a strided convolution's input gradient (the transposed convolution the attack
   * uses in place of libtorch's) against libtorch's autograd, on the shapes above plus the bundled
   * CNNs' second layer (8→16) and a padding smaller than s − 1 (the input's last row is in no window,
   * so its gradient is zero).
   */
  @ParameterizedTest
  @CsvSource({
    // channels, out, side, kernel, stride, padding
    "8, 16, 14, 4, 2, 1",
    "16, 32, 7, 3, 2, 1",
    "1, 4, 27, 3, 2, 1",
    "2, 3, 11, 5, 3, 2",
    "1, 6, 13, 4, 2, 0",
    "4, 2, 9, 2, 2, 0",
    "3, 4, 10, 3, 3, 0",
  })
  void inputGradientMatchesAutograd(int c, int o, int side, int k, int s, int p) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      NDArray x = m.randomNormal(new Shape(2, c, side, side));
      NDArray w = m.randomNormal(new Shape(o, c, k, k));
      float[][] shape = run(x, w, null, s, p, false, null);
      NDArray probe = m.randomNormal(new Shape((long) shape[2][0], (long) shape[2][1],
          (long) shape[2][2], (long) shape[2][3]));
      float[] autograd = run(x, w, null, s, p, false, probe)[1];
      NDArray mine = PhaseConv.inputGradient(probe, w, s, p, side, side);
      assertEquals(x.getShape(), mine.getShape(), "gradient shape");
      close(autograd, mine.toFloatArray(), "input gradient");
    }
  }

  @ParameterizedTest
  @CsvSource({"1, 2, true", "4, 2, true", "5, 2, false", "1, 1, false", "2, 3, false"})
  void paysOnlyForStridedConvolutionsWithFewChannels(int channels, int stride, boolean expected) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.zeros(new Shape(8, channels, 4, 4));
      assertEquals(expected, PhaseConv.pays(w, stride));
    }
  }

  /** {output, input gradient, output shape} of conv(x)·probe (probe null: output only). */
  private static float[][] run(NDArray x0, NDArray w, NDArray b, int s, int p, boolean phase, NDArray probe) {
    try (NDManager scope = x0.getManager().newSubManager()) {
      NDArray x = x0.duplicate();
      x.attach(scope);
      x.setRequiresGradient(true);
      NDArray y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        y = phase ? PhaseConv.conv(x, w, b, s, p) : Layer.Conv2d.direct(x, w, b, s, p);
        if (probe != null) {
          gc.backward(y.mul(probe).sum());
        }
      }
      float[] shape = new float[4];
      for (int i = 0; i < 4; i++) {
        shape[i] = y.getShape().get(i);
      }
      float[] grad = probe == null ? new float[0] : x.getGradient().toFloatArray();
      return new float[][] {y.toFloatArray(), grad, shape};
    }
  }

  private static void close(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + " size");
    assertFalse(expected.length == 0);
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= 1e-5 * scale, what + ": max difference " + worst + " at scale " + scale);
  }
}

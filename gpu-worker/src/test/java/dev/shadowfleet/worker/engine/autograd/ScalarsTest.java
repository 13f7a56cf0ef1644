package dev.shadowfleet.worker.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Gradients through an operation with a constant, when the garbage collector runs between the
 * forward and the backward pass ({@link FreedBuffers}), against the closed form.
 */
class ScalarsTest {
  private static final float[] X = {-2f, -0.5f, 0.75f, 3f};

  /**
   * Witness that the harness reaches the failure: DJL's own {@code mul(Number)} loses its constant.
   * Should this fail, either DJL now keeps the constant alive (then {@link Scalars} could go) or the
   * harness no longer overwrites freed memory (then the other tests prove less): look into it.
   */
  @Test
  void djlNumberOperandReadsFreedMemoryAfterGc() {
    int wrong = 0;
    for (int rep = 0; rep < 5; rep++) {
      float[] g = gradient(x -> x.mul(3f));
      if (!Arrays.equals(g, new float[] {3f, 3f, 3f, 3f})) {
        wrong++;
      }
    }
    assertTrue(wrong > 0, "x.mul(3f) kept its gradient 3 through 5 collections");
  }

  @Test
  void scalarsKeepTheirConstantAfterGc() {
    for (int rep = 0; rep < 3; rep++) {
      assertArrayEquals(new float[] {3f, 3f, 3f, 3f}, gradient(x -> Scalars.mul(x, 3)));
      assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, gradient(x -> Scalars.div(x, 2)));
      // d max(x, 0)/dx = 1 where x > 0, 0 where x < 0; d min(x, 0)/dx the other way round.
      assertArrayEquals(new float[] {0f, 0f, 1f, 1f}, gradient(x -> Scalars.maximum(x, 0)));
      assertArrayEquals(new float[] {1f, 1f, 0f, 0f}, gradient(x -> Scalars.minimum(x, 0)));
    }
  }

  @Test
  void valuesAndDtypeAreThoseOfTheNumberOperation() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (var dtype : List.of(ai.djl.ndarray.types.DataType.FLOAT32, ai.djl.ndarray.types.DataType.FLOAT64)) {
        NDArray x = m.create(X).toType(dtype, true);
        assertArrayEquals(doubles(x.mul(0.3)), doubles(Scalars.mul(x, 0.3)), 0);
        assertArrayEquals(doubles(x.div(7)), doubles(Scalars.div(x, 7)), 0);
        assertTrue(Scalars.mul(x, 0.3).getDataType() == dtype);
      }
    }
  }

  private static double[] doubles(NDArray a) {
    return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, true).toDoubleArray();
  }

  /** d/dx Σ f(x) at {@link #X}, with a collection and NaN-filled allocations before the backward pass. */
  private static float[] gradient(UnaryOperator<NDArray> f) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(X);
      x.setRequiresGradient(true);
      List<ByteBuffer> keep;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = f.apply(x).sum();
        keep = FreedBuffers.overwriteWithNaN();
        gc.backward(y);
      }
      assertTrue(keep.size() > 0);
      return x.getGradient().toFloatArray();
    }
  }
}

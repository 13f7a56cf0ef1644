package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.shadowfleet.common.config.ColorPenalty;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each penalty and its autograd gradient against the closed form written as plain loops in double
 * precision, on random float64 tensors (so the tolerance is round-off: 1e-10 relative).
 */
class PenaltiesTest {
  private static final int N = 2;
  private static final int H = 5;
  private static final int W = 4;
  private static final double TOL = 1e-10;

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void totalVariation(int c) {
    double[][][][] d = random(c, 11);
    double[] value = new double[N];
    double[][][][] grad = new double[N][c][H][W];
    for (int n = 0; n < N; n++) {
      for (int k = 0; k < c; k++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            if (i + 1 < H) {
              double diff = d[n][k][i + 1][j] - d[n][k][i][j];
              value[n] += diff * diff;
              grad[n][k][i + 1][j] += 2 * diff;
              grad[n][k][i][j] -= 2 * diff;
            }
            if (j + 1 < W) {
              double diff = d[n][k][i][j + 1] - d[n][k][i][j];
              value[n] += diff * diff;
              grad[n][k][i][j + 1] += 2 * diff;
              grad[n][k][i][j] -= 2 * diff;
            }
          }
        }
      }
    }
    check(d, Penalties::tv, value, grad);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void colorL2AndSquared(int c) {
    double[][][][] d = random(c, 12);
    double[] norm = new double[N];
    double[][] mean = new double[N][c];
    for (int n = 0; n < N; n++) {
      for (int k = 0; k < c; k++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            mean[n][k] += Math.abs(d[n][k][i][j]) / (H * W);
          }
        }
        norm[n] += mean[n][k] * mean[n][k];
      }
      norm[n] = Math.sqrt(norm[n]);
    }
    double[] squared = new double[N];
    double[][][][] gradL2 = new double[N][c][H][W];
    double[][][][] gradSq = new double[N][c][H][W];
    for (int n = 0; n < N; n++) {
      squared[n] = norm[n] * norm[n];
      for (int k = 0; k < c; k++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            double dm = Math.signum(d[n][k][i][j]) / (H * W); // ∂ mean_k / ∂ δ
            gradL2[n][k][i][j] = mean[n][k] / norm[n] * dm;
            gradSq[n][k][i][j] = 2 * mean[n][k] * dm;
          }
        }
      }
    }
    check(d, t -> Penalties.color(t, ColorPenalty.L2), norm, gradL2);
    check(d, t -> Penalties.color(t, ColorPenalty.L2_SQUARED), squared, gradSq);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void colorDeltaL2(int c) {
    double[][][][] d = random(c, 13);
    double[] norm = new double[N];
    for (int n = 0; n < N; n++) {
      for (double[][] ch : d[n]) {
        for (double[] row : ch) {
          for (double v : row) {
            norm[n] += v * v;
          }
        }
      }
      norm[n] = Math.sqrt(norm[n]);
    }
    double[][][][] grad = new double[N][c][H][W];
    for (int n = 0; n < N; n++) {
      for (int k = 0; k < c; k++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            grad[n][k][i][j] = d[n][k][i][j] / norm[n];
          }
        }
      }
    }
    check(d, t -> Penalties.color(t, ColorPenalty.DELTA_L2), norm, grad);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void dissimilarity(int c) {
    double[][][][] d = random(c, 14);
    double[] value = new double[N];
    double[][][] s = new double[N][H][W];
    for (int n = 0; n < N; n++) {
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          for (int a = 0; a < c; a++) {
            for (int b = a + 1; b < c; b++) {
              double diff = d[n][a][i][j] - d[n][b][i][j];
              s[n][i][j] += diff * diff;
            }
          }
          value[n] += s[n][i][j] * s[n][i][j];
        }
      }
      value[n] = Math.sqrt(value[n]);
    }
    // ∂‖s‖/∂δ_a = Σ_pixels (s/‖s‖)·Σ_{b≠a} 2(δ_a − δ_b); zero for one channel (then ‖s‖ = 0).
    double[][][][] grad = new double[N][c][H][W];
    for (int n = 0; n < N; n++) {
      for (int a = 0; a < c; a++) {
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            double inner = 0;
            for (int b = 0; b < c; b++) {
              inner += 2 * (d[n][a][i][j] - d[n][b][i][j]);
            }
            grad[n][a][i][j] = value[n] == 0 ? 0 : s[n][i][j] / value[n] * inner;
          }
        }
      }
    }
    check(d, Penalties::dissim, value, grad);
  }

  private static double[][][][] random(int c, long seed) {
    Random r = new Random(seed);
    double[][][][] d = new double[N][c][H][W];
    for (double[][][] a : d) {
      for (double[][] b : a) {
        for (double[] row : b) {
          for (int j = 0; j < W; j++) {
            row[j] = r.nextDouble() - 0.5;
          }
        }
      }
    }
    return d;
  }

  private static void check(
      double[][][][] d, Function<NDArray, NDArray> penalty, double[] value, double[][][][] grad) {
    int c = d[0].length;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.create(flat(d), new Shape(N, c, H, W));
      t.setRequiresGradient(true);
      double[] got;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = penalty.apply(t);
        got = out.toDoubleArray();
        gc.backward(out.sum());
      }
      assertArrayEquals(value, got, TOL * (1 + Math.abs(value[0])), "value");
      assertArrayEquals(flat(grad), t.getGradient().toDoubleArray(), TOL, "gradient");
    }
  }

  private static double[] flat(double[][][][] d) {
    int c = d[0].length;
    double[] out = new double[N * c * H * W];
    int p = 0;
    for (double[][][] a : d) {
      for (double[][] b : a) {
        for (double[] row : b) {
          for (double v : row) {
            out[p++] = v;
          }
        }
      }
    }
    return out;
  }
}

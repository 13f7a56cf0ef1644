package dev.shadowfleet.common.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The learning-rate limit of {@link AttackParams#checkAgainstModel}: gradient descent on λtv·TV
 * diverges once lr·λtv·C·8 ≥ 1. Checked against plain descent on TV of a 28×28 image (the TV of
 * ALGORITHM.md, written here as loops): just below the limit δ stays bounded, just above it grows
 * without bound — which is how the `quick` preset with lr = 1 ended in a NaN δ (TV 3·10²² after 20
 * steps, NaN by 300).
 */
class LearningRateStabilityTest {

  @ParameterizedTest
  @EnumSource(AttackPreset.class)
  void everyPresetIsStableOnItsModels(AttackPreset preset) {
    AttackParams p = preset.params();
    boolean threeChannelOnly = p.channelMode() == ChannelMode.THREE_CHANNEL && p.lambdaS() > 0;
    if (!threeChannelOnly) {
      assertDoesNotThrow(() -> p.checkAgainstModel(1, 0.25, null));
    }
    assertDoesNotThrow(() -> p.checkAgainstModel(3, 0.25, null));
  }

  @Test
  void quickPresetWithLearningRateOneIsRefusedNamingTheField() {
    AttackParams p = AttackPreset.QUICK.resolve(Map.of("learningRate", 1.0));
    ParameterException e = assertThrows(ParameterException.class, () -> p.checkAgainstModel(1, null, 0.1));
    assertEquals("learningRate", e.field());
    assertTrue(e.getMessage().contains("< 1/(8·lambdaTv) = 0.4167"), e.getMessage());
    // A 1-channel δ repeated over 3 channels has 3× the TV: the limit is a third.
    AttackParams rgb = AttackPreset.QUICK.resolve(Map.of("learningRate", 0.2));
    assertDoesNotThrow(() -> rgb.checkAgainstModel(1, 0.25, null));
    e = assertThrows(ParameterException.class, () -> rgb.checkAgainstModel(3, 0.25, null));
    assertTrue(e.getMessage().contains("on 3 channels"), e.getMessage());
  }

  @Test
  void theLimitSeparatesBoundedFromDivergingDescent() {
    double lambda = 0.3;
    double limit = 1 / (8 * lambda);
    assertTrue(maxAbsAfterDescent(0.98 * limit, lambda, 2000) < 1, "below the limit δ must stay bounded");
    assertTrue(maxAbsAfterDescent(1.05 * limit, lambda, 2000) > 1e6, "above the limit δ must blow up");
  }

  /** max |δ| after {@code steps} steps δ ← δ − lr·λ·∇TV(δ) from δ0 ~ U[−0.5, 0.5] on 28×28. */
  private static double maxAbsAfterDescent(double lr, double lambda, int steps) {
    int n = 28;
    double[][] d = new double[n][n];
    SplittableRandom rng = new SplittableRandom(1);
    for (double[] row : d) {
      for (int j = 0; j < n; j++) {
        row[j] = rng.nextDouble() - 0.5;
      }
    }
    for (int s = 0; s < steps; s++) {
      double[][] g = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (i + 1 < n) {
            double diff = d[i + 1][j] - d[i][j];
            g[i + 1][j] += 2 * diff;
            g[i][j] -= 2 * diff;
          }
          if (j + 1 < n) {
            double diff = d[i][j + 1] - d[i][j];
            g[i][j + 1] += 2 * diff;
            g[i][j] -= 2 * diff;
          }
        }
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          d[i][j] -= lr * lambda * g[i][j];
        }
      }
    }
    double max = 0;
    for (double[] row : d) {
      for (double v : row) {
        max = Math.max(max, Math.abs(v));
      }
    }
    return max;
  }
}

package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.common.config.ChannelMode;
import dev.shadowfleet.common.config.ColorPenalty;
import dev.shadowfleet.common.config.DeltaInit;
import dev.shadowfleet.common.config.SpoofLoss;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.List;
import java.util.Map;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's attack against the Python reference ({@code tools/reference/shadow_attack_reference.py},
 * PyTorch 1.13, one target at a time) on the same network, image, δ0 and noise, 20 steps.
 *
 * <p>Tolerance: 1e-6 absolute on δ (|δ| ≤ 1.3, float32 spacing there ≤ 1.2e-7). Both sides compute in float32; they differ only in
 * summation order (the engine stacks all targets and splits the noise copies into micro-batches, the
 * reference runs one target with all B copies; libtorch 2.7 vs 1.13 kernels). One step changes δ by
 * lr·∇J with relative round-off ~1e-6, and 20 steps of this smooth descent keep the drift near 1e-6
 * (measured: ≤ 6e-8 for smoothing; ≤ 4e-7 for IBP, where lr = 2 amplifies each step's round-off 20×). A wrong loss term, a wrong target or noise pairing moves δ by 2e-2 … 1.5 (the
 * reference moves δ by 0.14–1.06 in these cases; swapping the targets moves δ20 by ≥ 0.02), three orders
 * above the tolerance. Micro-batch sizes 5 and 100 exercise splitting inside and across targets.
 *
 * <p>Threads: libtorch's intra-op thread count is process-wide, and other classes in the same test JVM
 * set it to 1 (SmoothingAgreementTest, BoundSoundnessTest) while the default is the core count, so
 * without pinning it this test's reductions were split differently depending on which classes ran
 * first. The round-off then differs from run to run (a single failure under heavy load did not
 * reproduce). It is pinned to 1 here, so every run sums in the same order and the measured drift above
 * is the drift every run sees.
 */
class ReferenceEquivalenceTest {
  private static final double TOL = 1e-6;

  @BeforeAll
  static void oneIntraOpThread() {
    ai.djl.engine.Engine.getInstance(); // loads the native library
    JniUtils.setNumThreads(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 100})
  void smoothingOneChannel(int microBatch) {
    check("rs1", ModelKind.smoothed(0.25), 1, 28, ChannelMode.ONE_CHANNEL, 0.01, 1.0, 0.0, 0.1,
        ColorPenalty.L2_SQUARED, 16, microBatch);
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 100})
  void smoothingThreeChannel(int microBatch) {
    check("rs3", ModelKind.smoothed(0.5), 3, 16, ChannelMode.THREE_CHANNEL, 0.01, 1.0, 0.5, 0.1,
        ColorPenalty.L2_SQUARED, 16, microBatch);
  }

  /** Robust CE of IBP margin bounds at ε = 0.1, paper §5 penalties (C = ‖δ‖₂), lr 2. */
  @ParameterizedTest
  @ValueSource(ints = {2, 100})
  void intervalBoundsRobustCrossEntropy(int microBatch) {
    check("ibp1", ModelKind.ibp(0.1), 1, 28, ChannelMode.ONE_CHANNEL, 0.000009, 0.02, 0.0, 2.0,
        ColorPenalty.DELTA_L2, 1, microBatch);
  }

  static void check(String name, ModelKind kind, int channels, int size, ChannelMode mode,
      double tv, double c, double s, double lr, ColorPenalty color, int b, int microBatch) {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = ReferenceFixtures.network(m, name, kind, channels, size);
      Map<String, NDArray> f = ReferenceFixtures.load(m, name + "-case");
      AttackParams p = new AttackParams(20, lr, tv, c, s, b, null, false, null, BoundMethod.IBP, 0.0,
          SpoofLoss.ROBUST_CE, mode, color, DeltaInit.UNIFORM, false, 0L, microBatch, true);
      int[] targets = ReferenceFixtures.ints(f.get("targets"));
      List<TargetResult> results =
          new ShadowAttack(p, net).generate(f.get("image"), targets, f.get("delta0"), f.get("noise"));
      float[] expected = f.get("delta20").toFloatArray();
      float[] before = f.get("delta0").toFloatArray();
      int per = expected.length / targets.length;
      double worst = 0;
      double moved = 0;
      for (int i = 0; i < targets.length; i++) {
        float[] got = results.get(i).delta();
        for (int k = 0; k < per; k++) {
          worst = Math.max(worst, Math.abs(got[k] - expected[i * per + k]));
          moved = Math.max(moved, Math.abs(expected[i * per + k] - before[i * per + k]));
        }
      }
      System.out.printf("%s mb=%d: max|δ_java − δ_ref| = %.3g (reference moved δ by %.3g)%n",
          name, microBatch, worst, moved);
      assertTrue(worst <= TOL, name + ": max |δ − δ_ref| = " + worst + " > " + TOL);
      // The trace's first step equals the reference's first-step loss terms.
      double[] trace = f.get("trace").toDoubleArray(); // rows [i, step, J, spoof, tv, c, s]
      for (int i = 0; i < targets.length; i++) {
        LossTerms first = results.get(i).trace().get(0);
        int row = i * 20 * 7;
        assertEquals(trace[row + 2], first.total(), 1e-4 * Math.abs(trace[row + 2]), "J");
        assertEquals(trace[row + 3], first.spoof(), 1e-5, "spoof");
        assertEquals(trace[row + 4], first.tv(), 1e-4 * trace[row + 4], "tv");
        assertEquals(trace[row + 5], first.color(), 1e-6, "colour");
        assertEquals(trace[row + 6], first.dissim(), 1e-4 * (1 + trace[row + 6]), "dissim");
      }
    }
  }
}

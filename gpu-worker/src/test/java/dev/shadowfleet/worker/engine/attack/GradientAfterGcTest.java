package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.worker.engine.autograd.FreedBuffers;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The attack's gradient on an interval-bound model when the garbage collector runs between the
 * forward and the backward pass, against central finite differences of the objective.
 *
 * <p>This is the soak's NaN verdict (docs/reliability.md) made deterministic: the tiny IBP fixture,
 * the {@code quick} preset, a Fashion-MNIST test image. The bound computation closes its scope
 * before the backward pass, and DJL's {@code x.div(2f)} / {@code x.maximum(0f)} left the constants
 * of the graph in freed Java buffers ({@link dev.shadowfleet.worker.engine.autograd.Scalars}); with
 * {@link FreedBuffers} between forward and backward, that gradient was NaN on every run. Also the
 * CLI probe's case: {@code paper-ibp} (C = ‖δ‖₂) from δ = 0, where ‖δ‖₂ has no derivative (PyTorch
 * gives 0, the central difference is 0 too), and CROWN-IBP bounds.
 *
 * <p>Finite differences in float32: J is evaluated at δ ± h·v for unit directions v (the gradient's
 * own and three random ones), h = 1e-2; the per-pixel change is then below 1e-3, so ReLU and clip
 * kinks are rarely crossed, and float32 round-off in J (≈ 1e-6 relative) adds about 1e-4·|J| / h to
 * the difference quotient. Measured (2026-11-26): |difference − ⟨∇J, v⟩| ≤ 6e-5·‖∇J‖ + 1e-3, except
 * CROWN-IBP along its own gradient, 1.6e-3·‖∇J‖ (that step crosses kinks of the relaxation). The
 * tolerance, 5e-3·‖∇J‖ + 5e-3, is three times the worst; a freed constant gives NaN, ±inf or errors of
 * orders of magnitude. The gradient's own direction catches a wrong scale, the random ones a wrong
 * direction.
 */
class GradientAfterGcTest {
  private static final int IMAGE = 144; // one of the soak replay's images; any image does
  private static final double H = 1e-2;
  private static LoadedModel model;
  private static Dataset data;

  @BeforeAll
  static void load() throws Exception {
    Path dir = Path.of(GradientAfterGcTest.class.getResource("/fixtures/models/tiny-seq.json").toURI()).getParent();
    model = new ModelRegistry(dir).load("tiny-seq");
    data = new DatasetCache().get("fashion-mnist:test");
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @ParameterizedTest(name = "{0} {1} init {2}")
  @CsvSource({
    "quick, IBP, UNIFORM",
    "paper-ibp, IBP, ZERO",
    "paper-ibp, CROWN_IBP, UNIFORM",
  })
  void gradientMatchesFiniteDifferences(String preset, String bounds, String init) {
    AttackParams params = AttackPreset.byId(preset)
        .resolve(Map.of("boundMethod", bounds, "beta", 0.5, "init", init)).withSeed(3917342893848326518L);
    ShadowAttack attack = new ShadowAttack(params, model.classifier());
    int[] targets = {2, 7};
    try (NDManager scope = model.manager().newSubManager()) {
      NDArray x = data.image(scope, IMAGE);
      float[] d0 = initial(params, targets.length, x.getShape().size());
      NDArray delta = scope.create(d0, new ai.djl.ndarray.types.Shape(targets.length, 1, 28, 28));
      SpoofingLoss spoof = new IntervalSpoof(params, model.classifier(), model.card().kind().epsilon());

      NDArray leaf = delta.duplicate();
      leaf.setRequiresGradient(true);
      List<ByteBuffer> keep = new ArrayList<>();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        attack.objective(x, leaf, targets, new SpoofingLoss() {
          @Override
          public int samplesPerTarget() {
            return spoof.samplesPerTarget();
          }

          @Override
          public NDArray sampleLosses(List<Segment> segments) {
            NDArray losses = spoof.sampleLosses(segments);
            keep.addAll(FreedBuffers.overwriteWithNaN()); // between this forward pass and its backward
            return losses;
          }
        }, gc, false);
      }
      float[] g = leaf.getGradient().toFloatArray();
      assertTrue(keep.size() > 0);

      double j = total(attack, x, delta, targets, spoof, null, 0);
      double norm = 0;
      for (float v : g) {
        assertTrue(Float.isFinite(v), "gradient has " + v);
        norm += (double) v * v;
      }
      norm = Math.sqrt(norm);
      assertTrue(norm > 0);
      SplittableRandom rng = new SplittableRandom(5);
      for (int k = 0; k < 4; k++) {
        float[] v = new float[g.length];
        double len = 0;
        for (int i = 0; i < v.length; i++) {
          v[i] = k == 0 ? g[i] : (float) rng.nextGaussian();
          len += (double) v[i] * v[i];
        }
        double directional = 0;
        for (int i = 0; i < v.length; i++) {
          v[i] /= (float) Math.sqrt(len);
          directional += (double) g[i] * v[i];
        }
        double fd = (total(attack, x, delta, targets, spoof, v, H) - total(attack, x, delta, targets, spoof, v, -H))
            / (2 * H);
        assertEquals(fd, directional, 5e-3 * norm + 5e-3,
            "direction " + k + ": finite difference vs ⟨∇J, v⟩ (|∇J| = " + norm + ", J = " + j + ")");
      }
    }
  }

  /** Σ_t J_t at δ + h·v (no gradient). */
  private static double total(ShadowAttack attack, NDArray x, NDArray delta, int[] targets, SpoofingLoss spoof,
      float[] v, double h) {
    try (NDManager eval = delta.getManager().newSubManager()) {
      NDArray at = delta.duplicate();
      at.attach(eval);
      if (v != null) {
        at = at.add(eval.create(v, at.getShape()).mul((float) h));
      }
      double sum = 0;
      for (LossTerms t : attack.objective(x, at, targets, spoof, null, true)) {
        sum += t.total();
      }
      return sum;
    }
  }

  /** δ0 as ShadowAttack draws it for UNIFORM (any fixed values would do), or zeros. */
  private static float[] initial(AttackParams params, int targets, long pixels) {
    float[] v = new float[(int) (targets * pixels)];
    if (params.init() == dev.shadowfleet.common.config.DeltaInit.UNIFORM) {
      SplittableRandom rng = new SplittableRandom(params.seed());
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextDouble() - 0.5);
      }
    }
    return v;
  }
}

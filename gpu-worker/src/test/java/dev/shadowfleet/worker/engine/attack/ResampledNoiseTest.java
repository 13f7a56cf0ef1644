package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code resampleNoise}: every step draws its own B noise images from the job's noise stream, and the
 * given (or first) noise is not used. Checked against the fixed-noise attack fed the draw the stream
 * gives, recomputed here with the same seed and σ; and micro-batches cut inside and across targets
 * must not change the draws.
 *
 * <p>Tolerance 1e-6 on δ, as {@link ReferenceEquivalenceTest}: the same float32 computation up to the
 * order of sums; using any other noise moves δ by far more (checked: above 1e-4).
 */
class ResampledNoiseTest {
  private static final long SEED = 0L;
  private static final double SIGMA = 0.25;

  @Test
  void eachStepDrawsFreshNoiseFromTheSeed() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = ReferenceFixtures.network(m, "rs1", ModelKind.smoothed(SIGMA), 1, 28);
      Map<String, NDArray> f = ReferenceFixtures.load(m, "rs1-case");
      int[] targets = ReferenceFixtures.ints(f.get("targets"));
      NDArray noise = f.get("noise");

      float[] resampled = delta(net, f, targets, params(1, true, 100), noise);
      NDArray firstDraw = draw(m, noise.getShape(), new SplittableRandom(SEED).split());
      float[] onFirstDraw = delta(net, f, targets, params(1, false, 100), firstDraw);
      float[] onGiven = delta(net, f, targets, params(1, false, 100), noise);

      assertTrue(maxDiff(onFirstDraw, resampled) <= 1e-6, "step 0 runs on the stream's first draw");
      assertTrue(maxDiff(onGiven, resampled) > 1e-4, "the given noise is not used");
      assertTrue(maxDiff(delta(net, f, targets, params(3, true, 5), noise),
          delta(net, f, targets, params(3, true, 100), noise)) <= 1e-6, "micro-batching keeps the draws");
    }
  }

  private static AttackParams params(int steps, boolean resample, int microBatch) {
    return new AttackParams(steps, 0.1, 0.3, 1.0, 0.0, 16, null, false, null, BoundMethod.IBP, 0.0,
        SpoofLoss.ROBUST_CE, ChannelMode.ONE_CHANNEL, ColorPenalty.L2_SQUARED, DeltaInit.UNIFORM, resample,
        SEED, microBatch, false);
  }

  private static float[] delta(
      SequentialNetwork net, Map<String, NDArray> f, int[] targets, AttackParams p, NDArray noise) {
    List<TargetResult> results =
        new ShadowAttack(p, net).generate(f.get("image"), targets, f.get("delta0"), noise);
    int per = results.get(0).delta().length;
    float[] out = new float[per * targets.length];
    for (int i = 0; i < targets.length; i++) {
      System.arraycopy(results.get(i).delta(), 0, out, i * per, per);
    }
    return out;
  }

  /** B×C×H×W draws of N(0, σ²), in the order the attack draws them. */
  private static NDArray draw(NDManager m, Shape shape, SplittableRandom rng) {
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * SIGMA);
    }
    return m.create(v, shape);
  }

  private static double maxDiff(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}

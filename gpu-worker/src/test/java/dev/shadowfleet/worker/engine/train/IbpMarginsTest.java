package dev.shadowfleet.worker.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The training-time IBP margins: exact at ε = 0, and never above a margin reached inside the box. */
class IbpMarginsTest {
  static final ModelRegistry FIXTURES = new ModelRegistry(Path.of("src/test/resources/fixtures/models"));

  @Test
  void atZeroEpsilonTheBoundsAreTheMargins() {
    try (LoadedModel m = FIXTURES.load("tiny-seq"); NDManager job = m.manager().newSubManager()) {
      SequentialNetwork net = m.requireNetwork();
      job.getEngine().setRandomSeed(3);
      NDArray x = job.randomUniform(0f, 1f, new Shape(5, 1, 28, 28));
      NDArray oneHot = job.create(new int[] {0, 1, 2, 3, 9}).oneHot(10);
      NDArray z = net.logits(x);
      NDArray margins = z.mul(oneHot).sum(new int[] {1}, true).sub(z);
      float[] expected = margins.toFloatArray();
      float[] bounds = IbpMargins.lowerBounds(net, x, 0, oneHot).toFloatArray();
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], bounds[i], 1e-4, "entry " + i);
      }
    }
  }

  @Test
  void boundsHoldAtRandomPointsAndCornersOfTheBox() {
    double eps = 0.05;
    try (LoadedModel m = FIXTURES.load("tiny-seq"); NDManager job = m.manager().newSubManager()) {
      SequentialNetwork net = m.requireNetwork();
      job.getEngine().setRandomSeed(4);
      NDArray x = job.randomUniform(0f, 1f, new Shape(2, 1, 28, 28));
      NDArray oneHot = job.create(new int[] {4, 7}).oneHot(10);
      float[] lower = IbpMargins.lowerBounds(net, x, eps, oneHot).toFloatArray();
      float[] exact = IbpMargins.lowerBounds(net, x, 0, oneHot).toFloatArray();
      boolean looser = false;
      for (int trial = 0; trial < 100; trial++) {
        NDArray delta = trial % 2 == 0
            ? job.randomUniform((float) -eps, (float) eps, x.getShape())
            : job.randomUniform(-1f, 1f, x.getShape()).sign().mul((float) eps); // corners
        NDArray xp = x.add(delta).clip(0f, 1f);
        NDArray z = net.logits(xp);
        float[] margins = z.mul(oneHot).sum(new int[] {1}, true).sub(z).toFloatArray();
        for (int i = 0; i < margins.length; i++) {
          assertTrue(lower[i] <= margins[i] + 1e-4, "bound " + lower[i] + " above margin " + margins[i]);
        }
      }
      for (int i = 0; i < lower.length; i++) {
        looser |= lower[i] < exact[i] - 1e-3;
      }
      assertTrue(looser, "bounds at eps > 0 should be looser than the exact margins");
    }
  }

  /** Same bounds as the certifier's IntervalBounds (written independently), so training optimises what is certified. */
  @Test
  void agreesWithTheCertifiersIntervalBounds() {
    try (LoadedModel m = FIXTURES.load("tiny-seq"); NDManager job = m.manager().newSubManager()) {
      SequentialNetwork net = m.requireNetwork();
      job.getEngine().setRandomSeed(5);
      NDArray x = job.randomUniform(0f, 1f, new Shape(6, 1, 28, 28));
      int[] labels = {0, 1, 2, 5, 8, 9};
      for (double eps : new double[] {0.01, 0.1}) {
        float[] ours = IbpMargins.lowerBounds(net, x, eps, job.create(labels).oneHot(10)).toFloatArray();
        float[] theirs = dev.shadowfleet.worker.engine.certify.IntervalBounds.marginLowerBounds(
            net, x, eps, job.create(labels)).toFloatArray();
        for (int i = 0; i < ours.length; i++) {
          assertEquals(theirs[i], ours[i], 1e-4 * Math.max(1, Math.abs(theirs[i])), "eps " + eps + " entry " + i);
        }
      }
    }
  }
}

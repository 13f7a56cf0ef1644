package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SequentialNetwork#aroundNoise} (the affine split of the first layers, the cut strided
 * convolutions and their hand-made input gradients) against the plain computation: logits of
 * centre + η through {@link SequentialNetwork#logits} and libtorch's autograd for the gradient with
 * respect to the centres. Two centres over overlapping noise ranges share one backward, as targets of
 * one micro-batch do; the cache limit 0 checks the path that recomputes the noise's response.
 *
 * <p>Tolerance: 1e-4 relative to the largest magnitude. The float32 sums are regrouped (centre and
 * noise through the first layers separately, the transposed convolution by phases), a few ulps per
 * layer over four layers; an index error (a wrong phase, a lost ReLU mask, a range off by one, a
 * missing sum over the copies) changes values by O(1).
 */
class AffineNoiseShiftTest {

  @ParameterizedTest(name = "{0}, cache {1}")
  @CsvSource({
    "cnn, 16777216", // conv s2 → ReLU → conv s2 (cut after the affine head) → ReLU → linear
    "cnn, 0",
    "deep, 16777216", // conv s1 → ReLU → conv s2 (cut) → ReLU → conv s2 (cut) → ReLU → linear
    "rgb, 16777216", // 3 channels, per-channel normalization, kernel not a multiple of the stride
    "odd, 16777216", // conv s1 → ReLU → conv k2 s2 (cut) on a 9×9 input: its last row and column
    "odd, 0", //        are in no window, so their gradient is zero
    "mlp, 16777216", // flatten → linear → ReLU → linear: affine split only, no cut
  })
  void logitsAndCentreGradientsMatchThePlainComputation(String arch, long cacheValues) {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      SequentialNetwork net = network(m, arch);
      int c = net.card().channels();
      Shape image = new Shape(c, 11, 11);
      NDArray noise = m.randomNormal(new Shape(7).addAll(image)).mul(0.5f);
      NDArray[] centers = {m.randomUniform(0, 1, image), m.randomUniform(0, 1, image)};
      int[][] ranges = {{0, 4}, {2, 7}};
      NDArray probe = m.randomNormal(new Shape(9, 10));

      float[][] plain = plainRun(net, noise, centers, ranges, probe);
      float[][] split = splitRun(net, noise, centers, ranges, probe, cacheValues);
      close(plain[0], split[0], "logits");
      close(plain[1], split[1], "gradient of centre 0");
      close(plain[2], split[2], "gradient of centre 1");
    }
  }

  /**
   * What the split keeps for the noise's lifetime (responses, their phase layout, the transposed
   * kernels) is made on the first pass; later passes over the same ranges add nothing to the noise's
   * manager: per-call arrays stay in the caller's scope.
   */
  @Test
  void laterPassesKeepNothingMoreUnderTheNoise() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(6);
      SequentialNetwork net = network(m, "cnn");
      Shape image = new Shape(1, 11, 11);
      try (NDManager noiseScope = m.newSubManager()) {
        NDArray noise = noiseScope.randomNormal(new Shape(7).addAll(image)).mul(0.5f);
        NDArray[] centers = {m.randomUniform(0, 1, image), m.randomUniform(0, 1, image)};
        int[][] ranges = {{0, 4}, {2, 7}};
        NDArray probe = m.randomNormal(new Shape(9, 10));
        try (NoisyLogits noisy = net.aroundNoise(noise)) {
          int[] kept = new int[3];
          for (int pass = 0; pass < kept.length; pass++) {
            backwardOnce(noisy, noise, centers, ranges, probe);
            kept[pass] = noiseScope.getManagedArrays().size();
          }
          assertEquals(kept[0], kept[1], "arrays under the noise after pass 2");
          assertEquals(kept[0], kept[2], "arrays under the noise after pass 3");
        }
      }
    }
  }

  private static void backwardOnce(NoisyLogits noisy, NDArray noise, NDArray[] centers,
      int[][] ranges, NDArray probe) {
    try (NDManager scope = centers[0].getManager().newSubManager()) {
      noisyLogitsAndBackward(noisy, leaves(scope, centers), ranges, probe);
    }
  }

  /** Logits of every centre through {@code noisy}, and its own backward of Σ probe·logits; returns them. */
  private static NDArray noisyLogitsAndBackward(NoisyLogits noisy, NDArray[] leaves, int[][] ranges,
      NDArray probe) {
    List<NDArray> logits = new ArrayList<>();
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      for (int i = 0; i < leaves.length; i++) {
        logits.add(noisy.logits(leaves[i], ranges[i][0], ranges[i][1]));
      }
      NDArray z = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(logits));
      noisy.backward(gc, z.mul(probe).sum());
      return z;
    }
  }

  /** Logits and centre gradients as {@link Classifier#logits} and libtorch's autograd give them. */
  private static float[][] plainRun(
      SequentialNetwork net, NDArray noise, NDArray[] centers, int[][] ranges, NDArray probe) {
    try (NDManager scope = noise.getManager().newSubManager()) {
      NDArray[] leaves = leaves(scope, centers);
      List<NDArray> logits = new ArrayList<>();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        for (int i = 0; i < leaves.length; i++) {
          NDArray eta = noise.get(new NDIndex("{}:{}", ranges[i][0], ranges[i][1]));
          logits.add(net.logits(eta.add(leaves[i])));
        }
        NDArray z = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(logits));
        gc.backward(z.mul(probe).sum());
        return new float[][] {z.toFloatArray(), leaves[0].getGradient().toFloatArray(),
            leaves[1].getGradient().toFloatArray()};
      }
    }
  }

  /** The same through {@link NoisyLogits} with its own backward. */
  private static float[][] splitRun(SequentialNetwork net, NDArray noise, NDArray[] centers,
      int[][] ranges, NDArray probe, long cacheValues) {
    try (NDManager scope = noise.getManager().newSubManager();
        NoisyLogits noisy = cacheValues == AffineNoiseShift.CACHE_VALUES
            ? net.aroundNoise(noise) : shift(net, noise, cacheValues)) {
      NDArray[] leaves = leaves(scope, centers);
      NDArray z = noisyLogitsAndBackward(noisy, leaves, ranges, probe);
      return new float[][] {z.toFloatArray(), leaves[0].getGradient().toFloatArray(),
          leaves[1].getGradient().toFloatArray()};
    }
  }

  private static NoisyLogits shift(SequentialNetwork net, NDArray noise, long cacheValues) {
    int n = AffineNoiseShift.affinePrefix(net.layers());
    List<Layer> layers = net.layers();
    return new AffineNoiseShift(net.normalize(), layers.subList(0, n),
        layers.subList(n, layers.size()), noise, cacheValues);
  }

  private static NDArray[] leaves(NDManager scope, NDArray[] centers) {
    NDArray[] out = new NDArray[centers.length];
    for (int i = 0; i < centers.length; i++) {
      out[i] = centers[i].duplicate();
      out[i].attach(scope);
      out[i].setRequiresGradient(true);
    }
    return out;
  }

  private static SequentialNetwork network(NDManager m, String arch) {
    int c = arch.equals("rgb") ? 3 : 1;
    List<Layer> layers = switch (arch) {
      case "cnn" -> List.of(conv(m, c, 4, 4, 2, 1), new Layer.Relu(), conv(m, 4, 6, 4, 2, 1),
          new Layer.Relu(), new Layer.Flatten(), linear(m, 6 * 2 * 2, 10));
      case "deep" -> List.of(conv(m, c, 4, 3, 1, 1), new Layer.Relu(), conv(m, 4, 5, 3, 2, 1),
          new Layer.Relu(), conv(m, 5, 6, 2, 2, 0), new Layer.Relu(), new Layer.Flatten(),
          linear(m, 6 * 3 * 3, 10));
      case "rgb" -> List.of(conv(m, c, 4, 3, 2, 1), new Layer.Relu(), conv(m, 4, 6, 3, 2, 1),
          new Layer.Relu(), new Layer.Flatten(), linear(m, 6 * 3 * 3, 10));
      case "odd" -> List.of(conv(m, c, 4, 3, 1, 0), new Layer.Relu(), conv(m, 4, 6, 2, 2, 0),
          new Layer.Relu(), new Layer.Flatten(), linear(m, 6 * 4 * 4, 10));
      case "mlp" -> List.of(new Layer.Flatten(), linear(m, 121, 12), new Layer.Relu(),
          linear(m, 12, 10));
      default -> throw new IllegalArgumentException(arch);
    };
    NDArray mean = m.randomUniform(0.2f, 0.5f, new Shape(c, 1, 1));
    NDArray std = m.randomUniform(0.2f, 0.4f, new Shape(c, 1, 1));
    ModelCard card = new ModelCard("shift-" + arch, ModelCard.SEQUENTIAL, null, null,
        List.of(c, 11, 11), null, null,
        IntStream.range(0, 10).mapToObj(Integer::toString).toList(), ModelKind.smoothed(0.25),
        null, null, null);
    return new SequentialNetwork(card, new Layer.Normalize(mean, std), layers);
  }

  private static Layer conv(NDManager m, int in, int out, int k, int s, int p) {
    return new Layer.Conv2d(m.randomNormal(new Shape(out, in, k, k)).mul(0.5f),
        m.randomNormal(new Shape(out)).mul(0.1f), s, p);
  }

  private static Layer linear(NDManager m, int in, int out) {
    return new Layer.Linear(m.randomNormal(new Shape(out, in)).mul(0.2f),
        m.randomNormal(new Shape(out)).mul(0.1f));
  }

  private static void close(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + " size");
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(scale > 0, what + " is all zero");
    assertTrue(worst <= 1e-4 * scale, what + ": max difference " + worst + " at scale " + scale);
  }
}

package dev.shadowfleet.worker.engine.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Soundness of the margin lower bounds: no point of the box — random points, random vertices, and
 * PGD points that minimise each margin — falls below them; and CROWN-IBP (β = 1) is on average at
 * least as tight as IBP.
 */
class BoundSoundnessTest {
  private static final ReferenceNetwork REF = new ReferenceNetwork();
  private static final double[] EPSILONS = {0.01, 0.03, 0.1};
  private static final int RANDOM_POINTS = 2_000;
  private static final int PGD_STEPS = 40;
  private static final double TOL = 1e-4;

  /** One intra-op thread: on a small shared CPU, OpenMP threads of small ops wait on each other. */
  @BeforeAll
  static void oneThread() {
    Engine.getInstance();
    JniUtils.setNumThreads(1);
  }

  @Test
  void noPointOfTheBoxBeatsTheBoundsAndCrownIbpIsTighter() {
    Engine.getInstance().setRandomSeed(7);
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = REF.network(m, DataType.FLOAT32);
      NDArray x = REF.x(m, DataType.FLOAT32);
      NDArray labelArray = REF.labels(m);
      long[] labels = labelArray.toLongArray();
      int k = REF.numClasses();
      double sumIbp = 0;
      double sumCrown = 0;
      int tighter = 0;
      int count = 0;
      double closestGap = Double.POSITIVE_INFINITY;
      for (double eps : EPSILONS) {
        try (NDManager s = m.newSubManager()) {
          double[] ibp = doubles(IntervalBounds.marginLowerBounds(net, x, eps, labelArray));
          double[] crown = doubles(CrownIbpBounds.marginLowerBounds(net, x, eps, labelArray));
          double[] worst = worstMargins(net, x, labels, eps, s, REF.numClasses());
          for (int i = 0; i < labels.length; i++) {
            for (int j = 0; j < k; j++) {
              int t = i * k + j;
              String where = "eps=" + eps + " image " + i + " class " + j + ": point margin " + worst[t];
              assertTrue(worst[t] >= ibp[t] - TOL * (1 + Math.abs(ibp[t])), where + " < IBP " + ibp[t]);
              assertTrue(worst[t] >= crown[t] - TOL * (1 + Math.abs(crown[t])), where + " < CROWN-IBP " + crown[t]);
              if (j != labels[i]) {
                sumIbp += ibp[t];
                sumCrown += crown[t];
                tighter += crown[t] >= ibp[t] - 1e-6 ? 1 : 0;
                count++;
                closestGap = Math.min(closestGap, worst[t] - crown[t]);
              }
            }
          }
        }
      }
      System.out.printf(
          "bound tightness over %d margins (eps %s): mean IBP %.4f, mean CROWN-IBP %.4f, CROWN-IBP >= IBP in %d;"
              + " smallest gap attack-CROWN-IBP %.4g%n",
          count, java.util.Arrays.toString(EPSILONS), sumIbp / count, sumCrown / count, tighter, closestGap);
      assertTrue(sumCrown >= sumIbp, "CROWN-IBP must be tighter than IBP on average");
    }
  }

  /**
   * The trained smoothing CNN of the agreement test (normalize, conv, relu, conv, relu, flatten,
   * linear, relu, linear) as a SequentialNetwork: same logits as its TorchScript file, bounds sound
   * on real images, and the IBP vs CROWN-IBP tightness on a trained (not IBP-trained) model.
   */
  @Test
  void trainedCnnBoundsAreSoundAndCrownIbpIsTighter() throws Exception {
    Engine.getInstance().setRandomSeed(11);
    try (NDManager m = NDManager.newBaseManager();
        TorchScriptTestClassifier ts = new TorchScriptTestClassifier("/fixtures/rs_tiny_cnn.pt", 0.25, 1, 28, 10)) {
      SequentialNetwork net =
          new SequentialNetwork(
              ts.card(),
              new Layer.Normalize(m.create(0.2860f).reshape(1, 1, 1), m.create(0.3530f).reshape(1, 1, 1)),
              List.of(
                  new Layer.Conv2d(ts.parameter("1.weight", m), ts.parameter("1.bias", m), 2, 1),
                  new Layer.Relu(),
                  new Layer.Conv2d(ts.parameter("3.weight", m), ts.parameter("3.bias", m), 2, 1),
                  new Layer.Relu(),
                  new Layer.Flatten(),
                  new Layer.Linear(ts.parameter("6.weight", m), ts.parameter("6.bias", m)),
                  new Layer.Relu(),
                  new Layer.Linear(ts.parameter("8.weight", m), ts.parameter("8.bias", m))));
      float[] px = dev.shadowfleet.worker.cli.BenchCertifyCommand.readImages(
          java.nio.file.Paths.get("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"), 6);
      NDArray x = m.create(px, new Shape(6, 1, 28, 28));
      NDArray z = net.logits(x);
      assertTrue(z.sub(ts.logits(x)).abs().max().getFloat() < 1e-4, "same network as the TorchScript file");
      NDArray labels = z.argMax(1);
      long[] y = labels.toLongArray();
      for (double eps : new double[] {0.005, 0.02}) {
        double[] ibp = doubles(IntervalBounds.marginLowerBounds(net, x, eps, labels));
        double[] crown = doubles(CrownIbpBounds.marginLowerBounds(net, x, eps, labels));
        double[] worst = worstMargins(net, x, y, eps, m, 10);
        double sumIbp = 0;
        double sumCrown = 0;
        int certIbp = 0;
        int certCrown = 0;
        for (int i = 0; i < y.length; i++) {
          double minIbp = Double.POSITIVE_INFINITY;
          double minCrown = Double.POSITIVE_INFINITY;
          for (int j = 0; j < 10; j++) {
            int t = i * 10 + j;
            assertTrue(worst[t] >= ibp[t] - TOL * (1 + Math.abs(ibp[t])), "IBP broken at " + t);
            assertTrue(worst[t] >= crown[t] - TOL * (1 + Math.abs(crown[t])), "CROWN-IBP broken at " + t);
            if (j != y[i]) {
              sumIbp += ibp[t];
              sumCrown += crown[t];
              minIbp = Math.min(minIbp, ibp[t]);
              minCrown = Math.min(minCrown, crown[t]);
            }
          }
          certIbp += minIbp > 0 ? 1 : 0;
          certCrown += minCrown > 0 ? 1 : 0;
        }
        System.out.printf(
            "trained CNN eps=%.3f: mean margin lower bound IBP %.3f, CROWN-IBP %.3f; certified %d/6 IBP, %d/6 CROWN-IBP%n",
            eps, sumIbp / (6 * 9), sumCrown / (6 * 9), certIbp, certCrown);
        assertTrue(sumCrown >= sumIbp);
      }
    }
  }

  @Test
  void certifierDecidesFromTheWorstMargin() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = REF.network(m, DataType.FLOAT32);
      NDArray x = REF.x(m, DataType.FLOAT32).get(0);
      IbpCertificate atZero = IbpCertifier.certifyPrediction(net, x, 0.0, BoundMethod.IBP, 0);
      assertTrue(atZero.certified(), "the prediction is always certified at ε = 0");
      assertEquals(0.0, atZero.marginLowerBounds()[atZero.label()]);
      IbpCertificate wide = IbpCertifier.certify(net, x, atZero.label(), 0.1, BoundMethod.CROWN_IBP, 1.0);
      assertTrue(!wide.certified() && wide.worstMarginLowerBound() < 0, "ε = 0.1 is far too wide here");
    }
  }

  /**
   * Smallest margin z_y − z_j found per (image, j), N×K flattened: {@value #RANDOM_POINTS} random
   * points and as many random vertices of each image's box, then PGD (sign-gradient steps of ε/4,
   * projected onto the box) from the best point for each (image, j), all images in one batch.
   */
  private static double[] worstMargins(
      SequentialNetwork net, NDArray x, long[] labels, double eps, NDManager s, int k) {
    int n = labels.length;
    IntervalBounds.Box box = IntervalBounds.inputBox(x, eps);
    Shape img = x.getShape().slice(1);
    double[] worst = new double[n * k];
    NDArray starts = null;
    for (int i = 0; i < n; i++) {
      NDArray lo = box.lower().get(i);
      NDArray hi = box.upper().get(i);
      Shape many = new Shape(RANDOM_POINTS).addAll(img);
      NDArray random = lo.add(hi.sub(lo).mul(s.randomUniform(0f, 1f, many)));
      NDArray corners = s.randomUniform(0f, 1f, many).gt(0.5f).toType(DataType.FLOAT32, false);
      NDArray points = random.concat(lo.add(hi.sub(lo).mul(corners)), 0);
      NDArray z = net.logits(points);
      NDArray margins = z.get(":, " + labels[i]).expandDims(1).sub(z); // points×K
      double[] w = doubles(margins.min(new int[] {0}));
      System.arraycopy(w, 0, worst, i * k, k);
      NDArray best = points.get(margins.argMin(0)); // K×C×H×W
      starts = starts == null ? best : starts.concat(best, 0);
    }
    // PGD over N·K copies; copy (i, j) minimises z_{y_i} − z_j inside box i.
    NDArray lo = box.lower().repeat(0, k);
    NDArray hi = box.upper().repeat(0, k);
    long[] yRep = new long[n * k];
    long[] jRep = new long[n * k];
    for (int t = 0; t < n * k; t++) {
      yRep[t] = labels[t / k];
      jRep[t] = t % k;
    }
    NDArray spec = s.create(yRep).oneHot(k).sub(s.create(jRep).oneHot(k)); // rows e_y − e_j
    NDArray p = starts;
    float step = (float) (eps / 4);
    for (int t = 0; t < PGD_STEPS; t++) {
      p = p.duplicate();
      p.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(net.logits(p).mul(spec).sum());
      }
      NDArray g = p.getGradient();
      p = p.stopGradient().sub(g.sign().mul(step)).maximum(lo).minimum(hi);
    }
    double[] pgd = doubles(net.logits(p).mul(spec).sum(new int[] {1}));
    for (int t = 0; t < n * k; t++) {
      worst[t] = Math.min(worst[t], pgd[t]);
    }
    return worst;
  }

  private static double[] doubles(NDArray a) {
    return a.toType(DataType.FLOAT64, false).toDoubleArray();
  }
}

package dev.shadowfleet.worker.engine.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IBP and CROWN-IBP margins against the independent numpy reference
 * (tools/reference/ibp_reference.py: float64, convolutions as dense matrices).
 */
class IntervalBoundsReferenceTest {
  private static final ReferenceNetwork REF = new ReferenceNetwork();

  @Test
  void ibpAndCrownIbpMatchTheNumpyReferenceInFloat64() {
    check(DataType.FLOAT64, 1e-5);
  }

  @Test
  void float32BoundsStayCloseToTheReference() {
    check(DataType.FLOAT32, 1e-4);
  }

  private void check(DataType dtype, double tol) {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = REF.network(m, dtype);
      NDArray x = REF.x(m, dtype);
      NDArray labels = REF.labels(m);
      for (JsonNode c : REF.root.get("cases")) {
        double eps = c.get("eps").asDouble();
        assertClose(c.get("ibp"), IntervalBounds.marginLowerBounds(net, x, eps, labels), tol, "ibp eps=" + eps);
        assertClose(c.get("crown"), CrownIbpBounds.marginLowerBounds(net, x, eps, labels), tol, "crown eps=" + eps);
        assertClose(
            c.get("mixed").get("0.5"),
            CrownIbpBounds.marginLowerBounds(net, x, eps, labels, 0.5),
            tol,
            "beta=0.5 eps=" + eps);
        IntervalBounds.Box logits = IntervalBounds.logitBounds(net, x, eps);
        assertClose(c.get("logitLower"), logits.lower(), tol, "logit lower eps=" + eps);
        assertClose(c.get("logitUpper"), logits.upper(), tol, "logit upper eps=" + eps);
      }
    }
  }

  @Test
  void atEpsilonZeroBothBoundsAreTheExactMargins() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = REF.network(m, DataType.FLOAT64);
      NDArray x = REF.x(m, DataType.FLOAT64);
      NDArray labels = REF.labels(m);
      NDArray z = net.logits(x);
      NDArray zy = z.mul(labels.oneHot(REF.numClasses(), DataType.FLOAT64)).sum(new int[] {1}, true);
      double[] exact = zy.sub(z).toDoubleArray();
      double[] ibp = IntervalBounds.marginLowerBounds(net, x, 0, labels).toDoubleArray();
      double[] crown = CrownIbpBounds.marginLowerBounds(net, x, 0, labels).toDoubleArray();
      for (int i = 0; i < exact.length; i++) {
        assertEquals(exact[i], ibp[i], 1e-9);
        assertEquals(exact[i], crown[i], 1e-9);
      }
    }
  }

  @Test
  void marginsAreDifferentiableWithRespectToThePixels() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = REF.network(m, DataType.FLOAT64);
      NDArray x = REF.x(m, DataType.FLOAT64);
      NDArray labels = REF.labels(m);
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss =
            CrownIbpBounds.marginLowerBounds(net, x, 0.03, labels, 0.5)
                .sum()
                .add(IntervalBounds.marginLowerBounds(net, x, 0.03, labels).sum());
        gc.backward(loss);
      }
      double[] g = x.getGradient().toDoubleArray();
      double norm = 0;
      for (double v : g) {
        assertTrue(Double.isFinite(v));
        norm += v * v;
      }
      assertTrue(norm > 0, "gradient must not vanish");
    }
  }

  @Test
  void refusesWhatItCannotBound() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = REF.network(m, DataType.FLOAT32);
      List<Layer> noLast = new ArrayList<>(net.layers());
      noLast.add(new Layer.Relu());
      SequentialNetwork endsInRelu = new SequentialNetwork(net.card(), net.normalize(), noLast);
      UnsupportedLayerException e =
          assertThrows(UnsupportedLayerException.class, () -> IntervalBounds.checkSupported(endsInRelu));
      assertTrue(e.getMessage().contains("last layer must be Linear"), e.getMessage());

      Layer.Normalize badStd =
          new Layer.Normalize(net.normalize().mean(), net.normalize().std().mul(0f));
      SequentialNetwork zeroStd = new SequentialNetwork(net.card(), badStd, net.layers());
      e = assertThrows(
          UnsupportedLayerException.class,
          () -> IntervalBounds.marginLowerBounds(zeroStd, REF.x(m, DataType.FLOAT32), 0.1, REF.labels(m)));
      assertTrue(e.getMessage().contains("std[0] must be > 0"), e.getMessage());
    }
  }

  private static void assertClose(JsonNode expected, NDArray actual, double tol, String what) {
    double[][] e = ReferenceNetwork.matrix(expected);
    double[] a = actual.toType(DataType.FLOAT64, false).toDoubleArray();
    int k = e[0].length;
    assertEquals(e.length * k, a.length, what);
    for (int i = 0; i < e.length; i++) {
      for (int j = 0; j < k; j++) {
        assertEquals(e[i][j], a[i * k + j], tol, what + " [" + i + "," + j + "]");
      }
    }
  }
}

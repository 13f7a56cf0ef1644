package dev.shadowfleet.worker.engine.certify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;

/**
 * Certifies images of an interval-bound network: certified at ε with label y when every lower
 * bound of {@code z_y − z_j}, j ≠ y, is &gt; 0 (IBP, or β·CROWN-IBP + (1−β)·IBP).
 */
public final class IbpCertifier {

  private IbpCertifier() {}

  /**
   * Certificate of one image for a given label.
   *
   * @param x pixels C×H×W or 1×C×H×W in [0,1]
   * @param beta CROWN-IBP weight; ignored (0) for {@link BoundMethod#IBP}
   * @throws UnsupportedLayerException if the network has a layer the engine cannot bound
   */
  public static IbpCertificate certify(
      SequentialNetwork net, NDArray x, int label, double eps, BoundMethod method, double beta) {
    int classes = net.card() != null && net.card().classNames() != null ? net.card().numClasses() : -1;
    if (label < 0 || (classes > 0 && label >= classes)) {
      throw new IllegalArgumentException("`label` must be in [0, " + classes + "), got " + label);
    }
    try (NDManager scope = x.getManager().newSubManager()) {
      NDArray batch = x.getShape().dimension() == 3 ? x.expandDims(0) : x;
      batch.tempAttach(scope);
      NDArray labels = scope.create(new long[] {label}).toDevice(batch.getDevice(), false);
      NDArray m = bounds(net, batch, eps, labels, method, beta);
      double[] margins = m.toType(DataType.FLOAT64, false).toDoubleArray();
      double worst = Double.POSITIVE_INFINITY;
      for (int j = 0; j < margins.length; j++) {
        if (j != label) {
          worst = Math.min(worst, margins[j]);
        }
      }
      double usedBeta = method == BoundMethod.IBP ? 0 : beta;
      return new IbpCertificate(label, worst > 0, worst, margins, eps, method, usedBeta);
    }
  }

  /** Certificate for the network's own prediction at x (the label an attacked image is given). */
  public static IbpCertificate certifyPrediction(
      SequentialNetwork net, NDArray x, double eps, BoundMethod method, double beta) {
    int predicted;
    try (NDManager scope = x.getManager().newSubManager()) {
      NDArray batch = x.getShape().dimension() == 3 ? x.expandDims(0) : x;
      batch.tempAttach(scope);
      predicted = (int) net.logits(batch).argMax(1).toType(DataType.INT64, false).getLong(0);
    }
    return certify(net, x, predicted, eps, method, beta);
  }

  /** N×K margin lower bounds for the chosen method (the attack's and the trainer's loss input). */
  public static NDArray bounds(
      SequentialNetwork net, NDArray x, double eps, NDArray labels, BoundMethod method, double beta) {
    if (method == null) {
      throw new IllegalArgumentException("`method` must be one of IBP, CROWN_IBP, got null");
    }
    return switch (method) {
      case IBP -> IntervalBounds.marginLowerBounds(net, x, eps, labels);
      case CROWN_IBP -> CrownIbpBounds.marginLowerBounds(net, x, eps, labels, beta);
    };
  }
}

package dev.shadowfleet.worker.engine.certify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.worker.engine.autograd.Scalars;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.List;

/**
 * CROWN-IBP margin bounds (Zhang et al. 2019): a backward linear relaxation (CROWN) from the margin
 * specification {@code e_y − e_j}, with the pre-activation bounds of every ReLU taken from IBP.
 *
 * <p>Backward pass, from the final Linear layer to the pixels, keeping a linear lower bound {@code
 * m ≥ A·h + a0} of the margins in terms of the current layer's input h (A is N×K×shape(h)):
 *
 * <ul>
 *   <li>Linear / Conv2d: {@code a0 += A·b}, {@code A ← A·W}. For Conv2d, {@code A·W} is the
 *       transpose of the convolution, computed exactly by {@code conv_transpose2d} with the same
 *       weight, stride and padding and the output padding that restores the input's height/width.
 *   <li>ReLU with IBP bounds {@code l ≤ z ≤ u}: stable neurons are exact (slope 1 if {@code l ≥ 0},
 *       0 if {@code u ≤ 0}). An unstable neuron ({@code l < 0 < u}) is bounded above by the chord
 *       {@code u(z − l)/(u − l)} and below by {@code α·z} with the adaptive slope of CROWN: {@code α
 *       = 1} if {@code u ≥ −l}, else {@code α = 0} (the choice that minimises the area of the
 *       relaxation). A positive coefficient takes the lower relaxation, a negative one the upper.
 *   <li>Flatten: reshape; normalization: {@code A ← A/std}, {@code a0 −= (A/std)·mean}.
 * </ul>
 *
 * <p>At the pixels the bound is concretized over the box: {@code A·c − |A|·r + a0}. The mixed bound
 * of the paper is {@code β·m_CROWN-IBP + (1−β)·m_IBP}. Every step is a DJL operation, so the bound
 * is differentiable with respect to pixels and weights (gradients also flow through the IBP
 * intermediate bounds and the relaxation slopes, as in CROWN-IBP training).
 */
public final class CrownIbpBounds {

  private CrownIbpBounds() {}

  /** CROWN-IBP lower bounds of {@code z_label − z_j}, N×K (β = 1). */
  public static NDArray marginLowerBounds(SequentialNetwork net, NDArray x, double eps, NDArray labels) {
    return marginLowerBounds(net, x, eps, labels, 1.0);
  }

  /**
   * {@code β·m_CROWN-IBP + (1−β)·m_IBP}, N×K, 0 at {@code j = label}.
   *
   * @param beta in [0, 1]; 1 = pure CROWN-IBP, 0 = pure IBP
   */
  public static NDArray marginLowerBounds(
      SequentialNetwork net, NDArray x, double eps, NDArray labels, double beta) {
    if (!(beta >= 0 && beta <= 1)) {
      throw new IllegalArgumentException("`beta` must be in [0, 1], got " + beta);
    }
    IntervalBounds.checkSupported(net);
    NDManager caller = x.getManager();
    try (NDManager scope = caller.newSubManager()) {
      x.tempAttach(scope);
      labels.tempAttach(scope);
      IntervalBounds.Trace trace = IntervalBounds.propagate(net, x, eps, scope);
      IntervalBounds.Spec spec =
          IntervalBounds.specification(IntervalBounds.last(net), labels, x.getDataType(), scope);
      NDArray result;
      if (beta == 0) {
        result = IntervalBounds.concretize(spec, trace.inputs().get(trace.inputs().size() - 1), scope);
      } else {
        NDArray crown = backward(net, trace, spec, scope);
        if (beta == 1) {
          result = crown;
        } else {
          NDArray ibp =
              IntervalBounds.concretize(spec, trace.inputs().get(trace.inputs().size() - 1), scope);
          result = Scalars.mul(crown, beta).add(Scalars.mul(ibp, 1 - beta));
        }
      }
      result.attach(caller);
      return result;
    }
  }

  /** The backward pass from the specification to the pixel box. */
  static NDArray backward(
      SequentialNetwork net, IntervalBounds.Trace trace, IntervalBounds.Spec spec, NDManager scope) {
    List<Layer> layers = net.layers();
    NDArray a = spec.weight(); // N×K×D: coefficients on the input of the final Linear layer
    NDArray a0 = spec.bias(); // N×K
    long n = a.getShape().get(0);
    long k = a.getShape().get(1);
    for (int i = layers.size() - 2; i >= 0; i--) {
      Layer layer = layers.get(i);
      IntervalBounds.Box in = trace.inputs().get(i);
      Shape inShape = in.lower().getShape();
      if (layer instanceof Layer.Linear lin) {
        if (lin.bias() != null) {
          a0 = a0.add(a.matMul(lin.bias()));
        }
        a = a.matMul(lin.weight());
      } else if (layer instanceof Layer.Conv2d conv) {
        if (conv.bias() != null) {
          a0 = a0.add(a.sum(new int[] {3, 4}).matMul(conv.bias())); // Σ A[n,k,c,h,w]·b[c]
        }
        a = convTranspose(a, conv, inShape, scope);
      } else if (layer instanceof Layer.Relu) {
        ReluRelaxation rel = ReluRelaxation.of(in);
        NDArray pos = Scalars.maximum(a, 0);
        NDArray neg = Scalars.minimum(a, 0);
        a0 = a0.add(sumTrailing(neg.mul(rel.upperIntercept().expandDims(1)), n, k));
        a = pos.mul(rel.lowerSlope().expandDims(1)).add(neg.mul(rel.upperSlope().expandDims(1)));
      } else if (layer instanceof Layer.Flatten) {
        a = a.reshape(withSpec(n, k, inShape));
      } else if (layer instanceof Layer.Normalize norm) {
        a = a.div(norm.std());
        a0 = a0.sub(sumTrailing(a.mul(norm.mean()), n, k));
      } else {
        throw new UnsupportedLayerException(
            IntervalBounds.describe(layer) + " cannot be propagated by the bound engine");
      }
    }
    Layer.Normalize norm = net.normalize();
    a = a.div(norm.std());
    a0 = a0.sub(sumTrailing(a.mul(norm.mean()), n, k));
    NDArray c = trace.pixels().center().expandDims(1); // N×1×C×H×W
    NDArray r = trace.pixels().radius().expandDims(1);
    return sumTrailing(a.mul(c).sub(a.abs().mul(r)), n, k).add(a0);
  }

  /**
   * A (N×K×Co×Ho×Wo) ↦ A·W (N×K×Ci×Hi×Wi): the exact transpose of the convolution. The PyTorch
   * engine of DJL does not implement {@code conv_transpose2d}, so it is written as the textbook
   * identity: insert {@code stride−1} zeros between the coefficients, pad with {@code k−1−p} zeros
   * (plus the output padding {@code Hi − ((Ho−1)·s − 2p + k)} at the bottom/right), and correlate
   * with the kernel flipped in space and with in/out channels swapped, stride 1.
   */
  static NDArray convTranspose(NDArray a, Layer.Conv2d conv, Shape inShape, NDManager scope) {
    Shape s = a.getShape();
    long n = s.get(0);
    long k = s.get(1);
    long co = s.get(2);
    long ho = s.get(3);
    long wo = s.get(4);
    long hi = inShape.get(2);
    long wi = inShape.get(3);
    long kernel = conv.weight().getShape().get(2);
    int stride = conv.stride();
    int pad = conv.padding();
    long q = kernel - 1 - pad;
    long opH = hi - ((ho - 1) * stride - 2L * pad + kernel);
    long opW = wi - ((wo - 1) * stride - 2L * pad + kernel);
    NDArray v = a.reshape(n * k, co, ho, wo);
    v = dilate(v, 2, stride);
    v = dilate(v, 3, stride);
    v = padAxis(v, 2, q, q + opH);
    v = padAxis(v, 3, q, q + opW);
    NDArray flipped = IntervalBounds.owned(conv.weight().transpose(1, 0, 2, 3).flip(2, 3), scope);
    NDArray back =
        ai.djl.nn.convolutional.Conv2d.conv2d(
                v, flipped, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
            .singletonOrThrow();
    return back.reshape(n, k, inShape.get(1), hi, wi);
  }

  /** Inserts {@code stride − 1} zeros between consecutive entries along {@code axis}. */
  private static NDArray dilate(NDArray v, int axis, int stride) {
    if (stride == 1) {
      return v;
    }
    Shape s = v.getShape();
    long len = s.get(axis);
    NDArray e = v.expandDims(axis + 1); // …×len×1×…
    long[] zd = e.getShape().getShape();
    zd[axis + 1] = stride - 1;
    NDArray z = v.getManager().zeros(new Shape(zd), v.getDataType(), v.getDevice());
    long[] out = s.getShape();
    out[axis] = len * stride;
    NDArray spread = e.concat(z, axis + 1).reshape(new Shape(out));
    return spread.get(new NDIndex().addAllDim(axis).addSliceDim(0, (len - 1) * stride + 1));
  }

  /** Zero padding (or cropping, for a negative count) before and after along {@code axis}. */
  private static NDArray padAxis(NDArray v, int axis, long before, long after) {
    long len = v.getShape().get(axis);
    long from = Math.max(0, -before);
    long to = len - Math.max(0, -after);
    if (from > 0 || to < len) {
      v = v.get(new NDIndex().addAllDim(axis).addSliceDim(from, to));
    }
    if (before > 0) {
      v = zerosAlong(v, axis, before).concat(v, axis);
    }
    if (after > 0) {
      v = v.concat(zerosAlong(v, axis, after), axis);
    }
    return v;
  }

  private static NDArray zerosAlong(NDArray v, int axis, long count) {
    long[] d = v.getShape().getShape();
    d[axis] = count;
    return v.getManager().zeros(new Shape(d), v.getDataType(), v.getDevice());
  }

  /** Sum over every axis after the first two (N×K×… → N×K). */
  private static NDArray sumTrailing(NDArray v, long n, long k) {
    return v.reshape(n, k, -1).sum(new int[] {2});
  }

  private static Shape withSpec(long n, long k, Shape inShape) {
    long[] dims = new long[inShape.dimension() + 1];
    dims[0] = n;
    dims[1] = k;
    for (int d = 1; d < inShape.dimension(); d++) {
      dims[d + 1] = inShape.get(d);
    }
    return new Shape(dims);
  }

  /**
   * The linear relaxation of a ReLU from its IBP pre-activation bounds, element-wise (N×…): upper
   * bound {@code upperSlope·z + upperIntercept}, lower bound {@code lowerSlope·z}.
   */
  record ReluRelaxation(NDArray lowerSlope, NDArray upperSlope, NDArray upperIntercept) {
    static ReluRelaxation of(IntervalBounds.Box in) {
      NDArray l = in.lower();
      NDArray u = in.upper();
      DataType dt = l.getDataType();
      NDArray unstable = l.lt(0f).logicalAnd(u.gt(0f));
      NDArray active = l.gte(0f).toType(dt, false);
      NDArray zeros = l.zerosLike();
      // Safe denominator: u − l only where unstable (> 0 there), so no inf/NaN reaches autograd.
      NDArray denom = NDArrays.where(unstable, u.sub(l), l.onesLike());
      NDArray upperSlope = NDArrays.where(unstable, u.div(denom), active);
      NDArray upperIntercept = NDArrays.where(unstable, u.mul(l).neg().div(denom), zeros);
      NDArray adaptive = u.gte(l.neg()).toType(dt, false);
      NDArray lowerSlope = NDArrays.where(unstable, adaptive, active);
      return new ReluRelaxation(lowerSlope, upperSlope, upperIntercept);
    }
  }
}

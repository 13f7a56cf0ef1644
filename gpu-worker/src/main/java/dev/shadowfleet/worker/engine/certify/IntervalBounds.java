package dev.shadowfleet.worker.engine.certify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.worker.engine.autograd.Scalars;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * Interval bound propagation (Gowal et al. 2018) over a {@link SequentialNetwork}.
 *
 * <p>The input set is the ℓ∞ box {@code [x−ε, x+ε] ∩ [0,1]} in pixel space. It goes through the
 * normalization (per channel, std &gt; 0, so lower stays lower) and then through every layer in
 * center/radius form: an affine layer maps (c, r) to (W·c + b, |W|·r), a ReLU maps (l, u) to
 * (relu(l), relu(u)), Flatten reshapes. The last layer must be Linear: it is folded into the margin
 * specification {@code C = e_y − e_j}, so the bound of {@code z_y − z_j} comes from the row
 * {@code W_y − W_j} applied to the box in front of that layer (tighter than subtracting logit
 * bounds).
 *
 * <p>Everything is a DJL computation on the input's device, differentiable with respect to the
 * pixels and the weights: the Shadow Attack and certified training use the margins as a loss.
 * Results are attached to the manager of {@code x}; intermediates live in a sub-manager closed
 * before returning (the autograd graph keeps what backward needs).
 */
public final class IntervalBounds {

  private IntervalBounds() {}

  /** Element-wise bounds {@code lower ≤ v ≤ upper}. */
  public record Box(NDArray lower, NDArray upper) {
    public NDArray center() {
      return Scalars.div(lower.add(upper), 2);
    }

    public NDArray radius() {
      return Scalars.div(upper.sub(lower), 2);
    }
  }

  /**
   * The bounds in front of every layer, as needed by CROWN-IBP's backward pass.
   *
   * @param pixels the input box in pixel space (in front of the normalization)
   * @param inputs {@code inputs.get(i)} bounds the input of {@code net.layers().get(i)}; the last
   *     entry bounds the input of the final Linear layer
   */
  record Trace(Box pixels, List<Box> inputs) {}

  /**
   * Refuses a network the engine cannot bound: a layer type it does not know, a normalization with
   * a std that is not &gt; 0, or a network whose last layer is not Linear.
   *
   * @throws UnsupportedLayerException naming the layer and the reason
   */
  public static void checkSupported(SequentialNetwork net) {
    checkNormalize(net.normalize(), "normalize");
    List<Layer> layers = net.layers();
    if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof Layer.Linear)) {
      throw new UnsupportedLayerException(
          "network " + net.card().id() + ": the last layer must be Linear (it is folded into the margin"
              + " specification), got " + (layers.isEmpty() ? "no layers" : describe(layers.get(layers.size() - 1))));
    }
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      if (layer instanceof Layer.Normalize n) {
        checkNormalize(n, "layers[" + i + "]");
      } else if (!(layer instanceof Layer.Conv2d
          || layer instanceof Layer.Linear
          || layer instanceof Layer.Relu
          || layer instanceof Layer.Flatten)) {
        throw new UnsupportedLayerException(
            "network " + net.card().id() + ": layers[" + i + "] is " + describe(layer)
                + ", which the bound engine cannot propagate");
      }
    }
  }

  /** The input box {@code [x−ε, x+ε] ∩ [0,1]}, attached to the manager of {@code x}. */
  public static Box inputBox(NDArray x, double eps) {
    if (!(eps >= 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("`epsilon` must be ≥ 0 and finite, got " + eps);
    }
    float e = (float) eps;
    return new Box(x.sub(e).clip(0f, 1f), x.add(e).clip(0f, 1f));
  }

  /**
   * Lower bounds of {@code z_label − z_j} over the box, N×K, exactly 0 at {@code j = label}.
   *
   * @param x pixels N×C×H×W in [0,1]
   * @param eps ℓ∞ radius in pixel space
   * @param labels N integer labels
   */
  public static NDArray marginLowerBounds(SequentialNetwork net, NDArray x, double eps, NDArray labels) {
    checkSupported(net);
    NDManager caller = x.getManager();
    try (NDManager scope = caller.newSubManager()) {
      x.tempAttach(scope);
      labels.tempAttach(scope);
      Trace trace = propagate(net, x, eps, scope);
      Spec spec = specification(last(net), labels, x.getDataType(), scope);
      NDArray result = concretize(spec, trace.inputs().get(trace.inputs().size() - 1), scope);
      result.attach(caller);
      return result;
    }
  }

  /** Bounds of the logits N×K over the box (plain IBP through every layer, the last included). */
  public static Box logitBounds(SequentialNetwork net, NDArray x, double eps) {
    checkSupported(net);
    NDManager caller = x.getManager();
    try (NDManager scope = caller.newSubManager()) {
      x.tempAttach(scope);
      Trace trace = propagate(net, x, eps, scope);
      Box out = affine(last(net), trace.inputs().get(trace.inputs().size() - 1), scope);
      out.lower().attach(caller);
      out.upper().attach(caller);
      return out;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Steps shared with CrownIbpBounds (all arrays attached to `scope`).

  /** IBP from the pixel box up to the input of the final Linear layer, keeping every layer's input. */
  static Trace propagate(SequentialNetwork net, NDArray x, double eps, NDManager scope) {
    if (x.getShape().dimension() != 4) {
      throw new IllegalArgumentException("`x` must be N×C×H×W, got shape " + x.getShape());
    }
    Box pixels = inputBox(x, eps);
    Box h = normalize(net.normalize(), pixels);
    List<Layer> layers = net.layers();
    List<Box> inputs = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size() - 1; i++) {
      inputs.add(h);
      h = step(layers.get(i), h, scope);
    }
    inputs.add(h);
    return new Trace(pixels, inputs);
  }

  /** One layer of interval arithmetic. */
  static Box step(Layer layer, Box in, NDManager scope) {
    if (layer instanceof Layer.Normalize n) {
      return normalize(n, in);
    } else if (layer instanceof Layer.Conv2d || layer instanceof Layer.Linear) {
      return affine(layer, in, scope);
    } else if (layer instanceof Layer.Relu) {
      return new Box(Scalars.maximum(in.lower(), 0), Scalars.maximum(in.upper(), 0));
    } else if (layer instanceof Layer.Flatten) {
      long n = in.lower().getShape().get(0);
      return new Box(in.lower().reshape(n, -1), in.upper().reshape(n, -1));
    }
    throw new UnsupportedLayerException(describe(layer) + " cannot be propagated by the bound engine");
  }

  /** The margin specification of the final layer: rows {@code W_y − W_j} and {@code b_y − b_j}. */
  record Spec(NDArray weight, NDArray bias) {}

  static Spec specification(Layer.Linear last, NDArray labels, DataType dtype, NDManager scope) {
    NDArray w = last.weight(); // K×D
    int k = Math.toIntExact(w.getShape().get(0));
    long n = labels.getShape().size();
    NDArray oneHot = labels.reshape(n).toType(DataType.INT64, false).oneHot(k, dtype); // N×K
    NDArray wy = oneHot.matMul(w); // N×D
    NDArray weight = wy.expandDims(1).sub(w); // N×1×D − K×D → N×K×D
    NDArray bias;
    if (last.bias() == null) {
      bias = scope.zeros(new Shape(n, k), dtype, oneHot.getDevice());
    } else {
      NDArray by = oneHot.mul(last.bias()).sum(new int[] {1}, true); // N×1
      bias = by.sub(last.bias()); // N×K
    }
    return new Spec(weight, bias);
  }

  /** Lower bound of {@code spec.weight · v + spec.bias} for v in the box (N×D). */
  static NDArray concretize(Spec spec, Box box, NDManager scope) {
    NDArray c = box.center().expandDims(2); // N×D×1
    NDArray r = box.radius().expandDims(2);
    NDArray wc = spec.weight().matMul(c).squeeze(2);
    NDArray wr = spec.weight().abs().matMul(r).squeeze(2);
    return wc.sub(wr).add(spec.bias());
  }

  static Layer.Linear last(SequentialNetwork net) {
    return (Layer.Linear) net.layers().get(net.layers().size() - 1);
  }

  static String describe(Layer layer) {
    return layer == null ? "null" : layer.getClass().getSimpleName();
  }

  private static void checkNormalize(Layer.Normalize n, String where) {
    if (n == null) {
      throw new UnsupportedLayerException(where + ": normalization is missing");
    }
    double[] std;
    if (n.std().getDataType() == DataType.FLOAT64) {
      std = n.std().toDoubleArray();
    } else {
      try (NDArray d = n.std().toType(DataType.FLOAT64, true)) {
        std = d.toDoubleArray();
      }
    }
    for (int c = 0; c < std.length; c++) {
      if (!(std[c] > 0)) {
        throw new UnsupportedLayerException(
            where + ": std[" + c + "] must be > 0 for interval bounds, got " + std[c]);
      }
    }
  }

  private static Box normalize(Layer.Normalize n, Box in) {
    return new Box(in.lower().sub(n.mean()).div(n.std()), in.upper().sub(n.mean()).div(n.std()));
  }

  /** (c, r) ↦ (W·c + b, |W|·r) for a Linear or Conv2d layer. */
  private static Box affine(Layer layer, Box in, NDManager scope) {
    NDArray c = in.center();
    NDArray r = in.radius();
    NDArray c2;
    NDArray r2;
    if (layer instanceof Layer.Linear lin) {
      NDArray absW = owned(lin.weight().abs(), scope);
      c2 = ai.djl.nn.core.Linear.linear(c, lin.weight(), lin.bias()).singletonOrThrow();
      r2 = ai.djl.nn.core.Linear.linear(r, absW, null).singletonOrThrow();
    } else {
      Layer.Conv2d conv = (Layer.Conv2d) layer;
      NDArray absW = owned(conv.weight().abs(), scope);
      c2 = conv.forward(c);
      r2 = new Layer.Conv2d(absW, null, conv.stride(), conv.padding()).forward(r);
    }
    return new Box(c2.sub(r2), c2.add(r2));
  }

  /** Moves an array computed from the weights (attached to the model's manager) into the scope. */
  static NDArray owned(NDArray a, NDManager scope) {
    a.attach(scope);
    return a;
  }
}

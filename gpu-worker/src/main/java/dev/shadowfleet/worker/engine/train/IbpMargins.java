package dev.shadowfleet.worker.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.worker.engine.autograd.Scalars;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.List;

/**
 * Interval bound propagation as a differentiable computation (the training loss needs its gradient):
 * the box [x−ε, x+ε]∩[0,1] is carried as centre μ and radius r, through affine layers as (Wμ+b, |W|r)
 * and through ReLU by clamping both ends. The last linear layer is folded with the margin
 * specification z_y − z_j (Gowal et al. 2018; Zhang et al. 2020), which is tighter than bounding the
 * logits first.
 */
public final class IbpMargins {
  private IbpMargins() {}

  /**
   * Lower bounds of z_y − z_j for every class j (N×K; the entry j = y is 0). All entries of a row > 0
   * (for j ≠ y) means the prediction y is verified on the whole box.
   *
   * @param x N×C×H×W pixels in [0,1]
   * @param epsilon ℓ∞ radius (0 gives the exact margins)
   * @param oneHot N×K one-hot labels
   */
  public static NDArray lowerBounds(SequentialNetwork net, NDArray x, double epsilon, NDArray oneHot) {
    List<Layer> layers = net.layers();
    if (!(layers.get(layers.size() - 1) instanceof Layer.Linear last)) {
      throw new IllegalArgumentException("IBP margins need a network ending in a linear layer: " + net.card().id());
    }
    NDManager scope = x.getManager(); // temporaries made from the weights join the batch's scope
    NDArray lo = x.sub((float) epsilon).clip(0f, 1f);
    NDArray hi = x.add((float) epsilon).clip(0f, 1f);
    NDArray s = net.normalize().std();
    NDArray mu = Scalars.div(lo.add(hi), 2).sub(net.normalize().mean()).div(s);
    NDArray r = Scalars.div(hi.sub(lo), 2).div(s);
    for (Layer layer : layers.subList(0, layers.size() - 1)) {
      if (layer instanceof Layer.Conv2d c) {
        mu = c.forward(mu);
        r = new Layer.Conv2d(local(scope, c.weight().abs()), local(scope, c.bias().zerosLike()), c.stride(),
            c.padding()).forward(r);
      } else if (layer instanceof Layer.Linear l) {
        mu = l.forward(mu);
        r = new Layer.Linear(local(scope, l.weight().abs()), local(scope, l.bias().zerosLike())).forward(r);
      } else if (layer instanceof Layer.Relu) {
        NDArray u = Scalars.maximum(mu.add(r), 0);
        NDArray v = Scalars.maximum(mu.sub(r), 0);
        mu = Scalars.div(u.add(v), 2);
        r = Scalars.div(u.sub(v), 2);
      } else if (layer instanceof Layer.Flatten f) {
        mu = f.forward(mu);
        r = f.forward(r);
      } else {
        throw new IllegalArgumentException("IBP cannot walk layer " + layer.getClass().getSimpleName());
      }
    }
    // spec rows C_j = e_y − e_j folded into the last layer: W_spec[n, j] = W[y_n] − W[j]
    NDArray w = last.weight();
    NDArray wy = oneHot.matMul(w); // N×d
    NDArray wSpec = wy.expandDims(1).sub(local(scope, w.expandDims(0))); // N×K×d
    NDArray bSpec = oneHot.matMul(local(scope, last.bias().reshape(new Shape(-1, 1))))
        .sub(local(scope, last.bias().expandDims(0)));
    NDArray centre = wSpec.mul(mu.expandDims(1)).sum(new int[] {2});
    NDArray radius = wSpec.abs().mul(r.expandDims(1)).sum(new int[] {2});
    return centre.sub(radius).add(bSpec);
  }

  private static NDArray local(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }
}

package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link NoisyLogits} of a {@link SequentialNetwork} whose first layers (after normalization) are
 * affine: Conv2d, Linear, Flatten up to the first ReLU. An affine map A splits a noisy input,
 * A(norm(c + η)) = A(norm(c)) + A₀(η / std) with A₀ the map without biases (zero padding is linear
 * too), so the prefix runs once on the centre, with gradient, and once on the noise, without: the
 * centre's part is broadcast over the B copies. The attack then pays the prefix's input gradient for
 * one sample per target instead of B, and the noise's part, shared by every target, is kept for the
 * noise's lifetime (up to {@link #CACHE_VALUES} values; beyond that it is recomputed per range).
 *
 * <p>Later strided convolutions on CPU get their input gradient from {@link PhaseConv#inputGradient}
 * instead of libtorch's (docs/benchmarks.md, "Attack throughput"): under a gradient collector the
 * forward pass cuts the graph there (the convolution runs on a detached input and its output becomes
 * a leaf), and {@link #backward} runs autograd down to the last cut, computes the cut layer's input
 * gradient, and continues from its input with that gradient injected as Σ input·gradient. When the
 * cut layer's input is ReLU(centre's share + noise's share), the ReLU mask and the sum over the copies
 * are applied to the input gradient in {@link PhaseConv}'s phase layout, where it is contiguous, and
 * only the one per-target sum is re-interleaved; the noise's share is kept in that layout too.
 */
final class AffineNoiseShift implements NoisyLogits {
  /** Most values of noise responses kept: 64 MB of float32. */
  static final long CACHE_VALUES = 16L << 20;

  private final Layer.Normalize normalize;
  private final List<Layer> prefix;
  private final List<Layer> rest;
  private final NDArray noise;
  private final NDManager cache;
  private final long cacheValues;
  private final Map<Long, NDArray> responses = new HashMap<>();
  /** The responses in the phase layout of the cut after the first ReLU, if there is one. */
  private final Map<Long, NDArray> responsePhases = new HashMap<>();
  /** Transposed phase kernels of the cut layers: they depend on the frozen weights alone. */
  private final Map<Layer.Conv2d, NDArray> kernels = new IdentityHashMap<>();
  private long cachedValues;
  private final List<Cut> cuts = new ArrayList<>();

  /**
   * A convolution whose input gradient {@link #backward} computes: its input, its leaf output, and
   * when the input is ReLU(head + response) the centre's share and the response in phase layout
   * (else both null).
   */
  private record Cut(
      Layer.Conv2d conv, NDArray input, NDArray output, NDArray head, NDArray responsePhases) {}

  AffineNoiseShift(Layer.Normalize normalize, List<Layer> prefix, List<Layer> rest, NDArray noise) {
    this(normalize, prefix, rest, noise, CACHE_VALUES);
  }

  /** As above, keeping at most {@code cacheValues} values of noise responses. */
  AffineNoiseShift(
      Layer.Normalize normalize, List<Layer> prefix, List<Layer> rest, NDArray noise, long cacheValues) {
    this.cacheValues = cacheValues;
    this.normalize = normalize;
    this.prefix = prefix;
    this.rest = rest;
    this.noise = noise;
    this.cache = noise.getManager().newSubManager();
  }

  /** Leading layers of {@code layers} that are affine maps of their input. */
  static int affinePrefix(List<Layer> layers) {
    int n = 0;
    while (n < layers.size()
        && (layers.get(n) instanceof Layer.Conv2d
            || layers.get(n) instanceof Layer.Linear
            || layers.get(n) instanceof Layer.Flatten)) {
      n++;
    }
    return n;
  }

  @Override
  public NDArray logits(NDArray center, int from, int to) {
    NDManager m = center.getManager();
    NDArray head = normalize.forward(center.expandDims(0));
    for (Layer layer : prefix) {
      head = layer.forward(head); // 1×…, the centre's share, differentiable
    }
    long key = ((long) from << 32) | to;
    NDArray response = response(m, key, from, to);
    NDArray h;
    int next;
    if (rest.size() > 1 && rest.get(0) instanceof Layer.Relu
        && rest.get(1) instanceof Layer.Conv2d conv && cutsAt(conv, head)) {
      // ReLU(head + response) feeds a cut: no graph for it either, backward() does it by hand.
      NDArray input = ai.djl.nn.Activation.relu(head.stopGradient().add(response));
      h = cut(conv, input, head, responsePhases(m, key, response, conv));
      next = 2;
    } else {
      h = head.add(response); // 1×… + n×…, in the centre's manager
      next = 0;
    }
    for (Layer layer : rest.subList(next, rest.size())) {
      h = layer instanceof Layer.Conv2d conv && cutsAt(conv, h)
          ? cut(conv, h, null, null) : layer.forward(h);
    }
    return h;
  }

  @Override
  public void backward(GradientCollector gc, NDArray loss) {
    gc.backward(loss);
    // Last cut first: its input's graph ends at the output leaf of the cut before it.
    for (int i = cuts.size() - 1; i >= 0; i--) {
      Cut c = cuts.get(i);
      Layer.Conv2d conv = c.conv();
      Shape in = c.input().getShape();
      NDArray kernel = kernels.computeIfAbsent(conv,
          layer -> PhaseConv.transposedKernel(layer.weight(), layer.stride(), cache));
      NDArray phases = PhaseConv.phaseGradient(c.output().getGradient(), kernel);
      if (c.head() == null) {
        NDArray g = PhaseConv.fromPhases(phases, conv.stride(), conv.padding(), in.get(2), in.get(3));
        gc.backward(c.input().mul(g).sum());
      } else {
        // input = ReLU(head + response): the ReLU passes the gradient where head + response > 0,
        // and the broadcast over the n noise copies sums it. Both in phase layout (the same float
        // sums as the forward's, so the same mask), then one sample is re-interleaved.
        NDArray z = phases(c.head().stopGradient(), conv).add(c.responsePhases());
        NDArray mask = ai.djl.nn.Activation.relu(z).signi(); // 0/1, vectorized (gt + cast is not)
        NDArray toHead = PhaseConv.fromPhases(phases.muli(mask).sum(new int[] {0}, true),
            conv.stride(), conv.padding(), in.get(2), in.get(3));
        gc.backward(c.head().mul(toHead).sum());
      }
    }
    cuts.clear();
  }

  /** A strided CPU convolution with frozen weights whose input needs a gradient. */
  private static boolean cutsAt(Layer.Conv2d conv, NDArray x) {
    return conv.stride() > 1 && conv.inputGradientOnCpu(x);
  }

  /**
   * The convolution on a detached copy of its input, its output a new leaf. {@code head}: null when
   * the input itself carries the graph, else the centre's share under ReLU(head + response).
   */
  private NDArray cut(Layer.Conv2d conv, NDArray input, NDArray head, NDArray responsePhases) {
    NDArray out = Layer.Conv2d.direct(input.stopGradient(), conv.weight(), conv.bias(), conv.stride(),
        conv.padding());
    out.setRequiresGradient(true);
    cuts.add(new Cut(conv, input, out, head, responsePhases));
    return out;
  }

  /** A₀(η_b / std) for b in [from, to): cached, or computed in {@code m} once the cache is full. */
  private NDArray response(NDManager m, long key, int from, int to) {
    NDArray cached = responses.get(key);
    if (cached != null) {
      return cached;
    }
    try (NDManager scratch = cache.newSubManager()) {
      NDArray eta = noise.get(new NDIndex("{}:{}", from, to));
      eta.attach(scratch);
      NDArray r = eta.div(normalize.std());
      for (Layer layer : prefix) {
        r = withoutBias(layer, r);
      }
      return keep(responses, key, r, m);
    }
  }

  /**
   * The response of range {@code key} in the phase layout of {@code conv}'s input ({@link
   * PhaseConv#phases}): cached like the response, or computed in {@code m}.
   */
  private NDArray responsePhases(NDManager m, long key, NDArray response, Layer.Conv2d conv) {
    NDArray cached = responsePhases.get(key);
    if (cached != null) {
      return cached;
    }
    try (NDManager scratch = cache.newSubManager()) {
      response.tempAttach(scratch);
      return keep(responsePhases, key, phases(response, conv), m);
    }
  }

  /** x in the phase layout {@code conv} reads its input in ({@link PhaseConv#phases}). */
  private static NDArray phases(NDArray x, Layer.Conv2d conv) {
    return PhaseConv.phases(x, conv.weight().getShape().get(2), conv.stride(), conv.padding());
  }

  /** {@code r} into the cache under {@code key} while it has room, else into {@code m}. */
  private NDArray keep(Map<Long, NDArray> into, long key, NDArray r, NDManager m) {
    if (cachedValues + r.size() <= cacheValues) {
      r.attach(cache);
      into.put(key, r);
      cachedValues += r.size();
    } else {
      r.attach(m);
    }
    return r;
  }

  /** The layer's linear part (biases dropped), forward only: the noise needs no gradient. */
  private static NDArray withoutBias(Layer layer, NDArray x) {
    if (layer instanceof Layer.Conv2d c) {
      return Layer.Conv2d.direct(x, c.weight(), null, c.stride(), c.padding());
    }
    if (layer instanceof Layer.Linear l) {
      return ai.djl.nn.core.Linear.linear(x, l.weight(), null).singletonOrThrow();
    }
    return layer.forward(x); // Flatten
  }

  @Override
  public void close() {
    cache.close();
  }
}

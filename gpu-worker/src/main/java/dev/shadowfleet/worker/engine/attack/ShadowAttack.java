package dev.shadowfleet.worker.engine.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.ChannelMode;
import dev.shadowfleet.common.config.DeltaInit;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.worker.engine.autograd.Scalars;
import dev.shadowfleet.worker.engine.model.Classifier;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Shadow Attack (Ghiasi et al. 2020; ALGORITHM.md) on one image toward several targets at once.
 *
 * <p>All targets of the image are one batched computation: their δ's are stacked (T×C_δ×H×W) and
 * their samples (B noise copies, or one box, per target) lie on one batch axis of T·S samples.
 * Since J is a sum of independent per-target objectives, one backward pass of Σ_t J_t gives every
 * δ_t its own gradient. The batch axis is cut into micro-batches of at most {@code microBatch}
 * samples whose gradients accumulate on δ: memory is bounded by the micro-batch (its activations are
 * freed before the next one starts), never by T·B, and the size is a tuned setting because moderate
 * batches also run faster on CPU (400 samples beat 100 and one 3,600-sample pass on the bundled
 * Fashion-MNIST CNNs; docs/benchmarks.md, "Attack throughput"). A micro-batch also holds at most
 * {@link #MAX_MICRO_BATCH_VALUES} input values, so a sample count tuned on 28×28 images cannot blow
 * up on 224×224 ones: the default 400 stays 400 for Fashion-MNIST and CIFAR-10, and becomes 18 for
 * 3×224×224.
 *
 * <p>Native memory: one job manager per {@link #generate} call, a sub-manager per step and per
 * micro-batch; only the result arrays (copied to Java) leave.
 */
public final class ShadowAttack {
  /**
   * Most input values (samples × C×H×W) in one micro-batch: the largest pass measured on this engine,
   * 9 targets × 400 noise copies of a Fashion-MNIST image (11 MB of float32 input). Activations of a
   * CNN scale with its input, so this bounds a pass's memory for any image size.
   */
  public static final long MAX_MICRO_BATCH_VALUES = 3600L * 28 * 28;

  private final AttackParams params;
  private final Classifier model;
  private final int channels;
  private final Double sigma;
  private final Double epsilon;

  /**
   * @throws ParameterException when the parameters do not fit the model (σ, ε, channel mode, a
   *     robust spoofing loss on a model the bound engine cannot walk)
   */
  public ShadowAttack(AttackParams params, Classifier model) {
    ModelCard card = model.card();
    ModelKind kind = card.kind();
    params.checkAgainstModel(card.channels(), kind.sigma(), kind.epsilon());
    this.params = params;
    this.model = model;
    this.channels = card.channels();
    this.sigma = kind.isSmoothed() ? params.sigmaFor(kind.sigma()) : null;
    this.epsilon = kind.isIbp() ? params.epsilonFor(kind.epsilon()) : null;
    if (kind.isIbp()) {
      IntervalSpoof.checkModel(params, model);
    }
  }

  public AttackParams params() {
    return params;
  }

  /** Attacks {@code image} (C×H×W in [0,1]) toward each target, δ0 and noise drawn from the seed. */
  public List<TargetResult> generate(NDArray image, int[] targets) {
    SplittableRandom root = new SplittableRandom(params.seed());
    SplittableRandom deltaRng = root.split();
    SplittableRandom noiseRng = root.split();
    try (NDManager draws = image.getManager().newSubManager()) {
      NDArray delta0 = initialDelta(draws, image.getShape(), targets.length, deltaRng);
      NDArray noise = sigma == null ? null : gaussian(draws, image.getShape(), noiseRng);
      return run(image, targets, delta0, noise, noiseRng);
    }
  }

  /**
   * Attacks {@code image} from a given δ0 (T×C_δ×H×W) with given noise (B×C×H×W, already scaled by
   * σ; {@code null} for IBP models). The equivalence test against the Python reference uses this.
   */
  public List<TargetResult> generate(NDArray image, int[] targets, NDArray delta0, NDArray noise) {
    return run(image, targets, delta0, noise, new SplittableRandom(params.seed()).split());
  }

  private List<TargetResult> run(
      NDArray image, int[] targets, NDArray delta0, NDArray noise, SplittableRandom noiseRng) {
    long start = System.nanoTime();
    checkTargets(targets);
    try (NDManager job = image.getManager().newSubManager()) {
      NDArray x = image.duplicate();
      x.attach(job);
      NDArray delta = delta0.duplicate();
      delta.attach(job);
      List<List<LossTerms>> traces = new ArrayList<>();
      for (int i = 0; i < targets.length; i++) {
        traces.add(new ArrayList<>());
      }
      LossTerms[] last;
      try (SpoofingLoss forJob = jobSpoofing(noise)) {
        for (int s = 0; s < params.steps(); s++) {
          try (NDManager step = job.newSubManager();
              SpoofingLoss resampled = forJob != null ? null : resampledSpoofing(step, noise, noiseRng)) {
            NDArray leaf = delta.duplicate();
            leaf.attach(step);
            leaf.setRequiresGradient(true);
            LossTerms[] terms;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              terms = objective(x, leaf, targets, forJob != null ? forJob : resampled, gc, params.trace());
            }
            descend(delta, leaf.getGradient());
            for (int i = 0; terms != null && i < targets.length; i++) {
              traces.get(i).add(terms[i]);
            }
          }
        }
        try (NDManager step = job.newSubManager();
            SpoofingLoss resampled = forJob != null ? null : resampledSpoofing(step, noise, noiseRng)) {
          NDArray at = delta.duplicate();
          at.attach(step);
          last = objective(x, at, targets, forJob != null ? forJob : resampled, null, true);
        }
      }
      return results(x, delta, targets, last, traces, (System.nanoTime() - start) / 1_000_000);
    }
  }

  /**
   * The spoofing loss kept for the whole job: the interval-bound loss, or the smoothing loss when the
   * noise is drawn once (what the classifier derives from the noise is then computed once per job).
   * {@code null} when each step draws fresh noise ({@link #resampledSpoofing}).
   */
  private SpoofingLoss jobSpoofing(NDArray noise) {
    if (epsilon != null) {
      return new IntervalSpoof(params, model, epsilon);
    }
    return params.resampleNoise() ? null : new SmoothingSpoof(model, noise);
  }

  /**
   * J(δ) for every target. With a collector, backpropagates Σ_t J_t micro-batch by micro-batch (the
   * gradient accumulates on {@code delta}); returns the per-target terms when {@code values} is set
   * (reading them forces a device sync, so steps without a trace skip it), else {@code null}.
   */
  LossTerms[] objective(
      NDArray x,
      NDArray delta,
      int[] targets,
      SpoofingLoss spoof,
      GradientCollector gc,
      boolean values) {
    int t = targets.length;
    NDArray image = toImageChannels(delta); // T×C×H×W, in δ's manager
    NDArray tv = Penalties.tv(image);
    NDArray color = Penalties.color(image, params.colorPenalty());
    boolean threeChannel = params.channelMode() == ChannelMode.THREE_CHANNEL;
    NDArray dissim = threeChannel ? Penalties.dissim(image) : tv.zerosLike();
    NDArray penalty =
        Scalars.mul(tv, params.lambdaTv())
            .add(Scalars.mul(color, params.lambdaC()))
            .add(Scalars.mul(dissim, params.lambdaS()));
    if (gc != null) {
      gc.backward(penalty.sum());
    }
    double[] spoofed = values ? new double[t] : null;
    int perTarget = spoof.samplesPerTarget();
    long total = (long) t * perTarget;
    int microBatch = microBatch(params.microBatch(), x.getShape());
    for (long from = 0; from < total; from += microBatch) {
      long to = Math.min(total, from + microBatch);
      try (NDManager micro = delta.getManager().newSubManager()) {
        List<SpoofingLoss.Segment> segments = new ArrayList<>();
        int first = (int) (from / perTarget);
        for (int i = first; i <= (int) ((to - 1) / perTarget); i++) {
          int lo = (int) Math.max(0, from - (long) i * perTarget);
          int hi = (int) Math.min(perTarget, to - (long) i * perTarget);
          NDArray di = image.get(i);
          di.attach(micro);
          segments.add(new SpoofingLoss.Segment(targets[i], di.add(x), lo, hi));
        }
        NDArray losses = spoof.sampleLosses(segments);
        if (gc != null) {
          spoof.backward(gc, losses);
        }
        if (values) {
          double[] v = doubles(losses);
          int k = 0;
          for (int i = 0; i < segments.size(); i++) {
            SpoofingLoss.Segment seg = segments.get(i);
            for (int b = seg.from(); b < seg.to(); b++) {
              spoofed[first + i] += v[k++];
            }
          }
        }
      }
    }
    if (!values) {
      return null;
    }
    double[] tvs = doubles(tv);
    double[] cs = doubles(color);
    double[] ss = doubles(dissim);
    LossTerms[] out = new LossTerms[t];
    for (int i = 0; i < t; i++) {
      double j = spoofed[i] + params.lambdaTv() * tvs[i] + params.lambdaC() * cs[i]
          + params.lambdaS() * ss[i];
      out[i] = new LossTerms(spoofed[i], tvs[i], cs[i], ss[i], j);
    }
    return out;
  }

  /**
   * Samples per pass for an image of this shape (C×H×W): the requested size, lowered so that a pass
   * holds at most {@link #MAX_MICRO_BATCH_VALUES} input values (at least one sample).
   */
  static int microBatch(int requested, Shape image) {
    long cap = Math.max(1, MAX_MICRO_BATCH_VALUES / image.size());
    return (int) Math.min(requested, cap);
  }

  /** δ ← δ − lr·∇J: plain gradient descent, no sign, no projection, no momentum. */
  void descend(NDArray delta, NDArray gradient) {
    delta.subi(gradient.mul(params.learningRate()));
  }

  /** δ as added to the image: T×C×H×W (1-channel δ repeated over the model's C channels). */
  NDArray toImageChannels(NDArray delta) {
    if (params.channelMode() == ChannelMode.ONE_CHANNEL && channels > 1) {
      Shape s = delta.getShape();
      return delta.broadcast(new Shape(s.get(0), channels, s.get(2), s.get(3)));
    }
    return delta;
  }

  /** The smoothing loss of one step with fresh noise drawn in {@code step} (same shape as the job's). */
  private SpoofingLoss resampledSpoofing(NDManager step, NDArray noise, SplittableRandom noiseRng) {
    return new SmoothingSpoof(model, gaussian(step, noise.getShape().slice(1), noiseRng));
  }

  private List<TargetResult> results(
      NDArray x, NDArray delta, int[] targets, LossTerms[] last, List<List<LossTerms>> traces, long ms) {
    float[] xs = x.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    NDArray image = toImageChannels(delta);
    List<TargetResult> out = new ArrayList<>();
    Shape ds = delta.getShape();
    int[] deltaShape = {(int) ds.get(1), (int) ds.get(2), (int) ds.get(3)};
    for (int i = 0; i < targets.length; i++) {
      float[] d = delta.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
      float[] di = image.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
      float[] adv = new float[xs.length];
      double l2 = 0;
      double linf = 0;
      for (int p = 0; p < xs.length; p++) {
        adv[p] = Math.min(1f, Math.max(0f, xs[p] + di[p]));
        double change = adv[p] - xs[p];
        l2 += change * change;
        linf = Math.max(linf, Math.abs(change));
      }
      out.add(new TargetResult(targets[i], deltaShape, d, adv, last[i], Math.sqrt(l2), linf,
          params.steps(), ms, targets.length, List.copyOf(traces.get(i))));
    }
    return out;
  }

  private void checkTargets(int[] targets) {
    if (targets.length == 0) {
      throw new ParameterException("targets", "`targets` must not be empty");
    }
    int classes = model.card().numClasses();
    java.util.BitSet seen = new java.util.BitSet();
    for (int t : targets) {
      if (t < 0 || t >= classes) {
        throw new ParameterException("targets", "`targets` must be in [0, " + classes + "), got " + t);
      }
      if (seen.get(t)) {
        throw new ParameterException("targets", "`targets` lists " + t + " twice");
      }
      seen.set(t);
    }
  }

  /** δ0: Uniform[−0.5, 0.5] (authors' code) or zero, T×C_δ×H×W. */
  private NDArray initialDelta(NDManager m, Shape image, int targets, SplittableRandom rng) {
    int c = params.channelMode() == ChannelMode.ONE_CHANNEL ? 1 : (int) image.get(0);
    Shape shape = new Shape(targets, c, image.get(1), image.get(2));
    float[] v = new float[(int) shape.size()];
    if (params.init() == DeltaInit.UNIFORM) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextDouble() - 0.5);
      }
    }
    return m.create(v, shape);
  }

  /**
   * B Gaussian images N(0, σ²) of the image's shape, drawn in Java from the job's seed, so a seed
   * gives the same noise on every engine and device.
   */
  private NDArray gaussian(NDManager m, Shape image, SplittableRandom rng) {
    Shape shape = new Shape(params.noiseBatch()).addAll(image);
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * sigma);
    }
    return m.create(v, shape);
  }

  private static double[] doubles(NDArray a) {
    return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
  }
}

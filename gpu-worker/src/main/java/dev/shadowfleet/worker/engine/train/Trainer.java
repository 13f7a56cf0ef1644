package dev.shadowfleet.worker.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.shadowfleet.worker.engine.autograd.Scalars;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetUris;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.LayerSpec;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import dev.shadowfleet.worker.engine.model.SequentialNetworks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains a {@link SequentialNetwork} on the DJL PyTorch engine with a hand-written loop (the same
 * {@link Layer} forward the attack and the certifiers use): Adam or SGD with momentum, learning rate
 * ×0.1 for the last 20% of steps. Smoothed base classifiers see x + σ·N(0, I) (pixel space, before the
 * normalization); IBP networks minimise κ·CE(z, y) + (1−κ)·CE(−m̲, y) with m̲ the IBP lower bounds of
 * the margins at the current ε (see {@link TrainConfig}).
 */
public final class Trainer {
  private final TrainConfig config;
  private final Consumer<String> log;

  public Trainer(TrainConfig config, Consumer<String> log) {
    this.config = config;
    this.log = log;
  }

  /** The trained network (weights in the caller's manager; its card has no file checksum yet) and run facts. */
  public record Result(SequentialNetwork network, Map<String, Object> training, long steps) {}

  public Result train(NDManager manager) {
    Dataset train = DatasetUris.open(config.trainUri());
    int n = config.trainLimit() > 0 ? Math.min(config.trainLimit(), train.size()) : train.size();
    Tensors data = Tensors.load(train, n);
    Engine.getInstance().setRandomSeed((int) config.seed());
    Random rng = new Random(config.seed());
    ModelCard card = draftCard(config, train, data);
    SequentialNetwork net = initialize(card, manager, rng);
    List<NDArray> params = parameters(net);
    Map<NDArray, NDArray[]> moments = new LinkedHashMap<>();
    int stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
    long total = (long) stepsPerEpoch * config.epochs();
    long step = 0;
    long start = System.nanoTime();
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      int[] order = permutation(n, rng);
      double lossSum = 0;
      for (int b = 0; b < stepsPerEpoch; b++, step++) {
        int from = b * config.batchSize();
        int to = Math.min(n, from + config.batchSize());
        try (NDManager batch = manager.newSubManager()) {
          NDArray x = data.images(batch, order, from, to);
          NDArray y = data.oneHot(batch, order, from, to);
          double progress = (double) step / stepsPerEpoch;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = loss(net, x, y, progress, batch);
            gc.backward(loss);
            lossSum += loss.getFloat();
          }
          double lr = config.learningRate() * (step >= 0.8 * total ? 0.1 : 1.0);
          update(params, moments, lr, step + 1, manager);
        }
      }
      log.accept(String.format("%s epoch %d/%d loss %.4f%s (%.0f s)", config.id(), epoch + 1, config.epochs(),
          lossSum / stepsPerEpoch, config.isIbp() ? String.format(" eps %.4f kappa %.3f",
              epsilonAt((epoch + 1.0)), kappaAt(epoch + 1.0)) : "", (System.nanoTime() - start) / 1e9));
    }
    for (NDArray p : params) {
      p.setRequiresGradient(false);
    }
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("steps", step);
    training.put("trainImages", n);
    training.put("trainSeconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
    return new Result(net, training, step);
  }

  private NDArray loss(SequentialNetwork net, NDArray x, NDArray y, double epochProgress, NDManager batch) {
    if (!config.isIbp()) {
      NDArray noisy = x.add(batch.randomNormal(0f, config.sigma().floatValue(), x.getShape(), x.getDataType()));
      return crossEntropy(net.logits(noisy), y);
    }
    double eps = epsilonAt(epochProgress);
    double kappa = kappaAt(epochProgress);
    NDArray natural = crossEntropy(net.logits(x), y);
    if (eps <= 0) {
      return natural;
    }
    NDArray robust = crossEntropy(IbpMargins.lowerBounds(net, x, eps, y).neg(), y);
    return Scalars.mul(natural, kappa).add(Scalars.mul(robust, 1 - kappa));
  }

  /** ε after {@code epochs} (fractional) of training: 0 in warm-up, linear ramp, then trainEpsilon. */
  double epsilonAt(double epochs) {
    return config.trainEpsilon() * ramp(epochs);
  }

  /** κ after {@code epochs}: 1 in warm-up, linear to kappaEnd over the ramp. */
  double kappaAt(double epochs) {
    return 1 - (1 - config.kappaEnd()) * ramp(epochs);
  }

  private double ramp(double epochs) {
    double t = epochs - config.warmupEpochs();
    if (t <= 0) {
      return 0;
    }
    return config.rampEpochs() <= 0 ? 1 : Math.min(1, t / config.rampEpochs());
  }

  static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
    return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
  }

  /**
   * One optimizer step on every parameter, then the gradients are zeroed. Every temporary is attached
   * to a scope closed at the end (results of ops on the parameters would otherwise join the long-lived
   * manager and pile up).
   */
  private void update(List<NDArray> params, Map<NDArray, NDArray[]> moments, double lr, long t, NDManager keep) {
    try (NDManager scope = keep.newSubManager()) {
      for (NDArray p : params) {
        NDArray g = scoped(scope, p.getGradient());
        NDArray[] m = moments.computeIfAbsent(p, k -> new NDArray[] {keep.zeros(k.getShape()), keep.zeros(k.getShape())});
        if ("adam".equals(config.optimizer())) {
          float b1 = 0.9f;
          float b2 = 0.999f;
          m[0].muli(b1).addi(g.mul(1 - b1));
          m[1].muli(b2).addi(g.mul(g).mul(1 - b2));
          NDArray mHat = scoped(scope, m[0].div((float) (1 - Math.pow(b1, t))));
          NDArray vHat = scoped(scope, m[1].div((float) (1 - Math.pow(b2, t))));
          p.subi(mHat.div(vHat.sqrt().add(1e-8f)).mul((float) lr));
        } else {
          m[0].muli(0.9f).addi(g);
          p.subi(scoped(scope, m[0].mul((float) lr)));
        }
        JniUtils.zeroGrad((PtNDArray) p);
      }
    }
  }

  private static NDArray scoped(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }

  static ModelCard draftCard(TrainConfig config, Dataset train, Tensors data) {
    List<LayerSpec> layers = Architectures.layers(config.arch(), train.channels(), train.height(), train.width(),
        train.numClasses());
    ModelKind kind = config.isIbp() ? ModelKind.ibp(config.epsilon()) : ModelKind.smoothed(config.sigma());
    return new ModelCard(config.id(), ModelCard.SEQUENTIAL, config.id() + ".npz", null,
        List.of(train.channels(), train.height(), train.width()), data.channelMeans(), data.channelStds(),
        train.classNames(), kind, layers, null, null);
  }

  /** PyTorch's default initialization: weight and bias ~ U(−1/√fan_in, 1/√fan_in). */
  static SequentialNetwork initialize(ModelCard card, NDManager manager, Random rng) {
    List<Layer> layers = new ArrayList<>();
    for (LayerSpec s : card.layers()) {
      layers.add(switch (s.type()) {
        case LayerSpec.CONV2D -> new Layer.Conv2d(
            uniform(manager, rng, new Shape(s.out(), s.in(), s.kernel(), s.kernel()), s.in() * s.kernel() * s.kernel()),
            uniform(manager, rng, new Shape(s.out()), s.in() * s.kernel() * s.kernel()), s.stride(), s.padding());
        case LayerSpec.LINEAR -> new Layer.Linear(
            uniform(manager, rng, new Shape(s.out(), s.in()), s.in()), uniform(manager, rng, new Shape(s.out()), s.in()));
        case LayerSpec.RELU -> new Layer.Relu();
        default -> new Layer.Flatten();
      });
    }
    return new SequentialNetwork(card, SequentialNetworks.normalize(card, manager), layers);
  }

  private static NDArray uniform(NDManager manager, Random rng, Shape shape, int fanIn) {
    float bound = (float) (1 / Math.sqrt(fanIn));
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    NDArray a = manager.create(v, shape);
    a.setRequiresGradient(true);
    return a;
  }

  static List<NDArray> parameters(SequentialNetwork net) {
    return new ArrayList<>(SequentialNetworks.weights(net).values());
  }

  private static int[] permutation(int n, Random rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

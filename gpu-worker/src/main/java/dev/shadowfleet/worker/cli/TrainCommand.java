package dev.shadowfleet.worker.cli;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.worker.engine.EngineCheck;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelCards;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import dev.shadowfleet.worker.engine.train.TrainConfig;
import dev.shadowfleet.worker.engine.train.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shadowfleet train}: trains one sequential model and writes its NPZ weights and card (with the
 * test-set metrics and how it was trained) into the model directory.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a smoothed base classifier (--sigma) or an IBP network (--epsilon); writes <id>.npz + <id>.json.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--id", required = true, description = "model id (file names)")
  String id;

  @Option(names = "--train", defaultValue = "fashion-mnist:train", description = "training dataset URI (${DEFAULT-VALUE})")
  String trainUri;

  @Option(names = "--test", defaultValue = "fashion-mnist:test", description = "test dataset URI (${DEFAULT-VALUE})")
  String testUri;

  @Option(names = "--arch", defaultValue = "conv-small", description = "conv-small, conv-wide or mlp (${DEFAULT-VALUE})")
  String arch;

  @Option(names = "--sigma", description = "Gaussian noise σ (smoothed base classifier)")
  Double sigma;

  @Option(names = "--epsilon", description = "ℓ∞ radius ε (IBP training)")
  Double epsilon;

  @Option(names = "--epochs", defaultValue = "5")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "128")
  int batchSize;

  @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (momentum 0.9)")
  String optimizer;

  @Option(names = "--lr", defaultValue = "0.001")
  double learningRate;

  @Option(names = "--seed", defaultValue = "0")
  long seed;

  @Option(names = "--train-limit", defaultValue = "0", description = "first N training images (0 = all)")
  int trainLimit;

  @Option(names = "--test-limit", defaultValue = "0", description = "first N test images (0 = all)")
  int testLimit;

  @Option(names = "--warmup-epochs", defaultValue = "1", description = "IBP: natural epochs before the ε ramp")
  double warmupEpochs;

  @Option(names = "--ramp-epochs", defaultValue = "3", description = "IBP: epochs of the ε/κ ramp")
  double rampEpochs;

  @Option(names = "--train-epsilon", description = "IBP: ε at the end of the ramp (default: --epsilon)")
  Double trainEpsilon;

  @Option(names = "--kappa-end", defaultValue = "0.5", description = "IBP: final weight of the natural loss")
  double kappaEnd;

  @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads (${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--out", description = "model directory (default: the registry's)")
  Path out;

  @Override
  public Integer call() {
    // read by DJL when the engine starts; set before any NDArray exists
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    TrainConfig config;
    try {
      config = new TrainConfig(id, trainUri, testUri, arch, sigma, epsilon, epochs, batchSize, optimizer,
          learningRate, seed, trainLimit, testLimit, warmupEpochs, rampEpochs, trainEpsilon, kappaEnd);
    } catch (ParameterException e) {
      System.err.println("shadowfleet train: " + e.getMessage());
      return 2;
    }
    if (!EngineCheck.ready("train", System.err)) {
      return 1;
    }
    Path dir = out != null ? out : ModelRegistry.defaultRoot();
    ModelCard card = TrainingRun.trainAndSave(config, dir, "shadowfleet train " + String.join(" ", commandLine()),
        System.out::println);
    System.out.println("wrote " + dir.resolve(card.id() + ".json") + "\n" + ModelCards.toJson(card));
    return 0;
  }

  private List<String> commandLine() {
    List<String> a = new ArrayList<>(List.of("--id", id, "--train", trainUri, "--test",
        testUri, "--arch", arch, "--epochs", "" + epochs, "--batch-size", "" + batchSize, "--optimizer", optimizer,
        "--lr", "" + learningRate, "--seed", "" + seed, "--threads", "" + threads));
    if (sigma != null) {
      a.addAll(List.of("--sigma", "" + sigma));
    }
    if (epsilon != null) {
      a.addAll(List.of("--epsilon", "" + epsilon, "--warmup-epochs", "" + warmupEpochs, "--ramp-epochs",
          "" + rampEpochs, "--kappa-end", "" + kappaEnd));
      if (trainEpsilon != null) {
        a.addAll(List.of("--train-epsilon", "" + trainEpsilon));
      }
    }
    if (trainLimit > 0) {
      a.addAll(List.of("--train-limit", "" + trainLimit));
    }
    if (testLimit > 0) {
      a.addAll(List.of("--test-limit", "" + testLimit));
    }
    return a;
  }
}

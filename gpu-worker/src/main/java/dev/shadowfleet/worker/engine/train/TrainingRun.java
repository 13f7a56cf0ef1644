package dev.shadowfleet.worker.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.shadowfleet.worker.engine.data.DatasetUris;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelCards;
import dev.shadowfleet.worker.engine.model.NpzWeights;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import dev.shadowfleet.worker.engine.model.SequentialNetworks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Train, evaluate on the test set, and write {@code <dir>/<id>.npz} + {@code <dir>/<id>.json}. */
public final class TrainingRun {
  private TrainingRun() {}

  public static ModelCard trainAndSave(TrainConfig config, Path dir, String command, Consumer<String> log) {
    long start = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager()) {
      Trainer.Result result = new Trainer(config, log).train(manager);
      SequentialNetwork net = result.network();
      Map<String, Object> metrics = Evaluation.evaluate(net, DatasetUris.open(config.testUri()), config.testLimit(),
          config.sigma(), config.epsilon(), config.seed(), manager);
      log.accept(config.id() + " metrics " + metrics);
      Files.createDirectories(dir);
      Path weights = dir.resolve(config.id() + ".npz");
      NpzWeights.write(weights, SequentialNetworks.weights(net));
      Map<String, Object> training = new LinkedHashMap<>();
      training.put("command", command);
      training.put("config", config);
      training.put("seed", config.seed());
      training.putAll(result.training());
      training.put("wallSeconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
      training.put("threads", JniUtils.getNumThreads());
      training.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
      training.put("macs", Architectures.macs(net.card().layers(), net.card().channels(),
          net.card().inputShape().get(1), net.card().inputShape().get(2)));
      ModelCard draft = net.card();
      ModelCard card = new ModelCard(draft.id(), draft.format(), weights.getFileName().toString(),
          ModelCards.sha256(weights), draft.inputShape(), draft.mean(), draft.std(), draft.classNames(), draft.kind(),
          draft.layers(), training, metrics);
      ModelCards.write(dir.resolve(config.id() + ".json"), card);
      return card;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write model " + config.id() + " to " + dir + ": " + e.getMessage(), e);
    }
  }
}

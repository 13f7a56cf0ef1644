package dev.shadowfleet.worker.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short real training runs on a Fashion-MNIST subset: accuracy well above chance (10%) on held-out test
 * images, and the written card + NPZ load back through the registry with the same metrics.
 */
class TrainerTest {
  @TempDir Path dir;

  @Test
  void shortNoiseTrainingBeatsChanceOnHeldOutImages() {
    // 2000 images, batch 20, 2 epochs = 200 steps
    TrainConfig config = new TrainConfig("short-rs", "fashion-mnist:train", "fashion-mnist:test", "conv-small",
        0.25, null, 2, 20, "adam", 0.002, 7, 2000, 1000, 0, 0, null, 0.5);
    List<String> log = new ArrayList<>();
    ModelCard card = TrainingRun.trainAndSave(config, dir, "test", log::add);
    double underNoise = (double) card.metrics().get("accuracyUnderNoise");
    assertTrue(underNoise > 0.6, "accuracy under noise " + underNoise + " " + log);
    assertEquals(2, log.stream().filter(l -> l.contains("epoch")).count());
    try (LoadedModel m = new ModelRegistry(dir).load("short-rs")) {
      assertEquals(card.sha256(), m.card().sha256());
      assertEquals(0.25, m.card().kind().sigma());
      assertEquals(200L, ((Number) m.card().training().get("steps")).longValue());
    }
  }

  @Test
  void shortIbpTrainingVerifiesSomeImagesAtSmallEpsilon() {
    TrainConfig config = new TrainConfig("short-ibp", "fashion-mnist:train", "fashion-mnist:test", "mlp",
        null, 0.02, 3, 32, "adam", 0.001, 7, 2000, 1000, 1, 1, null, 0.5);
    ModelCard card = TrainingRun.trainAndSave(config, dir, "test", s -> { });
    double clean = 1 - (double) card.metrics().get("cleanError");
    double verified = (double) card.metrics().get("ibpVerifiedAccuracy");
    assertTrue(clean > 0.6, "clean accuracy " + clean);
    assertTrue(verified > 0.3 && verified <= clean, "verified " + verified + " clean " + clean);
  }

  @Test
  void epsilonAndKappaFollowTheRamp() {
    TrainConfig config = new TrainConfig("s", "fashion-mnist:train", "fashion-mnist:test", "mlp",
        null, 0.1, 10, 32, "adam", 0.001, 7, 0, 0, 2, 4, 0.12, 0.5);
    Trainer t = new Trainer(config, s -> { });
    assertEquals(0, t.epsilonAt(1.5));
    assertEquals(1.0, t.kappaAt(2));
    assertEquals(0.06, t.epsilonAt(4), 1e-12);
    assertEquals(0.75, t.kappaAt(4), 1e-12);
    assertEquals(0.12, t.epsilonAt(9), 1e-12);
    assertEquals(0.5, t.kappaAt(9), 1e-12);
  }

  @Test
  void badConfigNamesTheField() {
    ParameterException e = assertThrows(ParameterException.class, () -> new TrainConfig("s", "a:b", "a:c", "mlp",
        0.25, 0.1, 1, 32, "adam", 0.001, 7, 0, 0, 0, 0, null, 0.5));
    assertEquals("sigma", e.field());
    e = assertThrows(ParameterException.class, () -> new TrainConfig("s", "a:b", "a:c", "resnet",
        0.25, null, 1, 32, "adam", 0.001, 7, 0, 0, 0, 0, null, 0.5));
    assertEquals("arch", e.field());
    e = assertThrows(ParameterException.class, () -> new TrainConfig("s", "a:b", "a:c", "mlp",
        null, 0.1, 4, 32, "adam", 0.001, 7, 0, 0, 2, 3, null, 0.5));
    assertEquals("rampEpochs", e.field());
  }
}

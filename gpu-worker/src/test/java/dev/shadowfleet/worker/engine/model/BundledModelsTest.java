package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every model committed under the repository's models/ loads (checksum verified) and runs. */
class BundledModelsTest {
  @Test
  void everyBundledModelLoadsAndRuns() {
    ModelRegistry registry = ModelRegistry.fromEnvironment();
    List<ModelCard> cards = registry.list();
    assertFalse(cards.isEmpty(), "no models in " + registry.root());
    for (ModelCard card : cards) {
      try (LoadedModel m = registry.load(card.id()); NDManager job = m.manager().newSubManager()) {
        List<Integer> s = card.inputShape();
        var logits = m.classifier().logits(job.zeros(new Shape(2, s.get(0), s.get(1), s.get(2))));
        assertEquals(new Shape(2, card.numClasses()), logits.getShape(), card.id());
        assertTrue(card.metrics() != null && card.metrics().containsKey("cleanAccuracy"), card.id());
        if (card.kind().isIbp()) {
          assertTrue(m.network().isPresent(), card.id());
        }
      }
    }
  }

  /** models/torchscript/*.pt (tools/export_torchscript.py) compute what the NPZ models compute. */
  @Test
  void torchScriptExportsMatchTheirSequentialModels() throws Exception {
    ModelRegistry registry = ModelRegistry.fromEnvironment();
    Path dir = registry.root().resolve("torchscript");
    List<Path> cards;
    try (var files = Files.list(dir)) {
      cards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertFalse(cards.isEmpty(), "no exports in " + dir);
    for (Path cardFile : cards) {
      try (LoadedModel ts = registry.load(cardFile.toString());
          LoadedModel seq = registry.load(ts.card().id());
          NDManager job = seq.manager().newSubManager()) {
        List<Integer> s = ts.card().inputShape();
        job.getEngine().setRandomSeed(11);
        var x = job.randomUniform(0f, 1f, new Shape(4, s.get(0), s.get(1), s.get(2)));
        float diff = ts.classifier().logits(x).sub(seq.classifier().logits(x)).abs().max().getFloat();
        assertTrue(diff < 1e-5f, cardFile + " differs by " + diff);
      }
    }
  }
}

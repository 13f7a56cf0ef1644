package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
}

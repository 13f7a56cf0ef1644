package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import dev.shadowfleet.worker.engine.model.ModelCache;
import dev.shadowfleet.worker.engine.model.ModelCards;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file is code: a job carries the SHA-256 the coordinator registered, and a worker whose file
 * differs fails the job (PermanentJobException → FAILED, DLQ) naming both checksums, without loading
 * anything of the file — also when whoever swapped the file rewrote the card's checksum to match.
 */
class TamperedModelTest {
  private static final SmoothingParams CHEAP = new SmoothingParams(10, 200, 0.01, 100, CertifyMode.SELECT_THEN_CERTIFY);

  @TempDir Path dir;

  @Test
  void aSwappedFileFailsTheJobAndIsNeverLoaded() throws Exception {
    Path fixtures = Path.of(getClass().getResource("/fixtures/models/tiny-ts.json").toURI()).getParent();
    Files.copy(fixtures.resolve("tiny-ts.json"), dir.resolve("tiny-ts.json"));
    Files.copy(fixtures.resolve("tiny-ts.pt"), dir.resolve("tiny-ts.pt"));
    ModelRegistry registry = new ModelRegistry(dir);
    String registered = registry.card("tiny-ts").sha256();

    // 1. The file is replaced (one byte flipped), the card left alone.
    byte[] bytes = Files.readAllBytes(dir.resolve("tiny-ts.pt"));
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(dir.resolve("tiny-ts.pt"), bytes);
    AtomicInteger loads = new AtomicInteger();
    try (ModelCache cache = new ModelCache(2, id -> {
      loads.incrementAndGet();
      return registry.load(id);
    }, registry::verify)) {
      EngineJobProcessor processor = new EngineJobProcessor(cache, new DatasetCache(), "w", "cpu");
      PermanentJobException e = assertThrows(PermanentJobException.class, () -> processor.process(
          EngineJobProcessorTest.jobs("tiny-ts", registered, 0, List.of(1), "quick", Map.of("steps", 1), CHEAP, null),
          () -> false));
      assertEquals("modelSha256", e.field());
      assertTrue(e.getMessage().contains("fails its checksum") && e.getMessage().contains(registered), e.getMessage());
      assertTrue(e.getMessage().contains(ModelCards.sha256(dir.resolve("tiny-ts.pt"))), e.getMessage());
      assertEquals(0, loads.get(), "nothing of the file was loaded");
      assertFalse(cache.contains("tiny-ts"));

      // 2. The card's checksum is rewritten to match the swapped file: the registered one still differs.
      ObjectMapper json = new ObjectMapper();
      ObjectNode card = (ObjectNode) json.readTree(dir.resolve("tiny-ts.json").toFile());
      card.put("sha256", ModelCards.sha256(dir.resolve("tiny-ts.pt")));
      json.writeValue(dir.resolve("tiny-ts.json").toFile(), card);
      e = assertThrows(PermanentJobException.class, () -> processor.process(
          EngineJobProcessorTest.jobs("tiny-ts", registered, 0, List.of(1), "quick", Map.of("steps", 1), CHEAP, null),
          () -> false));
      assertEquals("modelSha256", e.field());
      assertTrue(e.getMessage().contains("registered with SHA-256 " + registered), e.getMessage());
      assertEquals(0, loads.get(), "nothing of the file was loaded");
      assertEquals(ErrorTier.PERMANENT, ErrorTier.of(e));
    }
  }
}

package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One bad value per field of a card: refused, and the message names the field. */
class ModelCardsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown layer type    | /layers/1     | type      | \"batchnorm\"   | layers[1].type",
        "conv input channels   | /layers/2     | in        | 3               | layers[2].in",
        "linear input features | /layers/5     | in        | 391             | layers[5].in",
        "outputs vs classes    | /layers/7     | out       | 9               | layers",
        "conv kernel too large | /layers/0     | kernel    | 40              | layers[0].kernel",
        "relu with weights     | /layers/1     | weight    | \"1.weight\"    | layers[1]",
        "missing bias name     | /layers/7     | bias      | null            | layers[7].bias",
        "mean length           |               | mean      | [0.1, 0.2]      | mean",
        "std positive          |               | std       | [0]             | std[0]",
        "class names           |               | classNames| []              | classNames",
        "input shape           |               | inputShape| [1, 28]         | inputShape",
        "unknown field         |               | trainingz | {}              | trainingz",
        "sha256                |               | sha256    | \"abc\"         | sha256",
        "format                |               | format    | \"onnx\"        | format",
        "id                    |               | id        | \"../x\"        | id",
        "kind epsilon          | /kind         | epsilon   | 1.5             | kind",
        "unknown kind field    | /kind         | delta     | 1               | kind.delta",
      })
  void badCardIsRefusedNamingTheField(String what, String at, String key, String value, String field)
      throws Exception {
    ObjectNode card = (ObjectNode) JSON.readTree(ModelRegistryTest.FIXTURES.resolve("tiny-seq.json").toFile());
    JsonNode target = at == null ? card : card.at(at);
    ((ObjectNode) target).set(key, JSON.readTree(value));
    Path file = dir.resolve("bad.json");
    JSON.writeValue(file.toFile(), card);
    ModelException e = assertThrows(ModelException.class, () -> ModelCards.read(file));
    assertTrue(e.getMessage().contains("`" + field + "`"), what + ": " + e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), what + ": " + e.getMessage());
  }

  @Test
  void ibpCardWithoutLayersIsRefused() throws Exception {
    ObjectNode card = (ObjectNode) JSON.readTree(ModelRegistryTest.FIXTURES.resolve("tiny-seq.json").toFile());
    card.remove("layers");
    Path file = dir.resolve("bad.json");
    JSON.writeValue(file.toFile(), card);
    ModelException e = assertThrows(ModelException.class, () -> ModelCards.read(file));
    assertTrue(e.getMessage().contains("`layers`"), e.getMessage());
  }
}

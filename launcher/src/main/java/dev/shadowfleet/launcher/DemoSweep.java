package dev.shadowfleet.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sweep {@code up} submits: the first {@code images} Fashion-MNIST test images × every target class
 * × the bundled σ = 0.25 smoothed model and one bundled IBP model, with the {@code quick} preset and a
 * small certification budget (n0 = 100, n = 1,000, α = 0.001) so it finishes in minutes on 2 CPU cores.
 */
record DemoSweep(int images, List<String> models, String preset, int n0, int n) {
  static final String DATASET = "fashion-mnist:test";

  DemoSweep {
    if (images < 1 || images > 10_000) {
      throw new IllegalArgumentException("`--images` must be in [1, 10000], got " + images);
    }
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no models to attack");
    }
  }

  /** The request body of {@code POST /api/sweeps}. */
  JsonNode request() {
    ObjectNode r = CoordinatorClient.JSON.createObjectNode();
    r.put("dataset", DATASET);
    r.putObject("images").put("from", 0).put("to", images);
    models.forEach(r.putArray("models")::add);
    r.put("targets", "all");
    r.put("preset", preset);
    r.putObject("smoothing")
        .put("n0", n0)
        .put("n", n)
        .put("alpha", 0.001)
        .put("batchSize", 500)
        .put("mode", "SELECT_THEN_CERTIFY");
    return r;
  }

  /**
   * The bundled models the demo attacks: the 1-channel smoothed model with σ = 0.25 and the first
   * 1-channel IBP model (by id) among the cards in {@code modelsDir}.
   *
   * @throws IllegalStateException when neither exists
   */
  static List<String> defaultModels(Path modelsDir) throws IOException {
    List<JsonNode> cards = new ArrayList<>();
    if (Files.isDirectory(modelsDir)) {
      try (Stream<Path> s = Files.list(modelsDir)) {
        for (Path p : s.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
          JsonNode c = CoordinatorClient.JSON.readTree(p.toFile());
          if (c.hasNonNull("id") && c.has("kind")) {
            cards.add(c);
          }
        }
      }
    }
    // Fashion-MNIST is grey: only 1-channel models can take it.
    cards.removeIf(c -> c.path("inputShape").path(0).asInt(1) != 1);
    List<String> chosen = new ArrayList<>();
    cards.stream()
        .filter(c -> "smoothed".equals(c.path("kind").path("type").asText()))
        .filter(c -> Math.abs(c.path("kind").path("sigma").asDouble() - 0.25) < 1e-9)
        .findFirst()
        .ifPresent(c -> chosen.add(c.get("id").asText()));
    cards.stream()
        .filter(c -> "ibp".equals(c.path("kind").path("type").asText()))
        .findFirst()
        .ifPresent(c -> chosen.add(c.get("id").asText()));
    if (chosen.isEmpty()) {
      throw new IllegalStateException(
          "no bundled models in " + modelsDir + " (expected a smoothed σ = 0.25 card and an IBP card)");
    }
    return chosen;
  }
}

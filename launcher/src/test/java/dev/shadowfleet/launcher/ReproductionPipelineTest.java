package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowfleet.worker.cli.ShadowfleetCli;
import dev.shadowfleet.worker.report.OutcomeCsv;
import dev.shadowfleet.worker.report.OutcomeRow;
import dev.shadowfleet.worker.report.ReproStats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduction's experiment definitions ({@code experiments/*.json}) scaled down — 2 images, 3 targets,
 * 3 attack steps, 8 noise draws, n = 200 — through the real fleet (Kafka, PostgreSQL, the coordinator, one worker,
 * as {@code tools/repro/run.sh} uses them), the outcome CSVs exported by the coordinator, then
 * {@code shadowfleet report}: every experiment's table has a row per model with sane values and every plot
 * is a PNG. Skipped when the coordinator has not been built (a build without {@code package}).
 */
class ReproductionPipelineTest {
  static final int IMAGES = 2;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void scaledDownExperimentsRunThroughTheFleetAndReport() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent(); // surefire runs in launcher/
    Launch launch = new Launch(repo, System.getProperty("java.class.path"), null);
    assumeTrue(Files.isRegularFile(launch.coordinatorJar()), "coordinator not built: " + launch.coordinatorJar());
    Path raw = dir.resolve("raw");
    StringWriter log = new StringWriter();
    Map<String, String> sweepIds = new LinkedHashMap<>(); // experiment/sweep → id
    try (LocalStack stack = LocalStack.open(new DataDir(dir.resolve("home")), launch, new PrintWriter(log, true))) {
      LocalStack.Infra infra = stack.startInfra(2, 0, 0);
      String url = stack.startCoordinator(infra, "127.0.0.1", 0);
      stack.startWorkers(1, infra.bootstrapServers());
      CoordinatorClient api = new CoordinatorClient(url, stack.operatorToken(infra)); // writes need a token
      api.registerModels(launch.modelsDir());
      for (String experiment : List.of("table1", "rgb", "table2")) {
        JsonNode spec = JSON.readTree(repo.resolve("experiments/" + experiment + ".json").toFile());
        for (var s : (Iterable<Map.Entry<String, JsonNode>>) spec.get("sweeps")::fields) {
          JsonNode sweep = api.submitSweep(scaledDown(s.getValue()));
          sweepIds.put(experiment + "/" + s.getKey(), sweep.get("id").asText());
        }
      }
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + 240_000_000_000L;
      for (var e : sweepIds.entrySet()) {
        JsonNode state;
        while (!"COMPLETED".equals((state = api.sweep(e.getValue())).path("state").asText())) {
          assertTrue(stack.failure().isEmpty(), () -> stack.failure().get() + "\n" + log);
          assertTrue(System.nanoTime() < deadline, e.getKey() + " did not finish: " + state);
          Thread.sleep(500);
        }
        HttpResponse<String> csv = http.send(HttpRequest.newBuilder(
            URI.create(url + "/api/sweeps/" + e.getValue() + "/outcomes.csv")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, csv.statusCode(), csv.body());
        Path file = raw.resolve(e.getKey()).resolve("0-" + IMAGES + ".csv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv.body());
      }
    }

    Path out = dir.resolve("out");
    assertEquals(0, ShadowfleetCli.run("report", "--raw", raw.toString(), "--out", out.toString()));
    String tables = Files.readString(out.resolve("tables.md"));
    for (String exp : List.of("table1", "rgb", "table2")) {
      assertTrue(tables.contains("## " + exp + "\n"), tables);
    }
    for (var e : sweepIds.keySet()) {
      List<OutcomeRow> rows = OutcomeCsv.readDir(raw.resolve(e));
      Map<String, List<OutcomeRow>> byModel = ReproStats.byModel(rows);
      for (var m : byModel.entrySet()) {
        assertEquals(IMAGES, m.getValue().size(), e + " " + m.getKey() + ": one outcome per image");
        assertTrue(tables.contains("| " + m.getKey() + " |"), m.getKey() + " in the tables:\n" + tables);
        if (e.startsWith("table2")) {
          ReproStats.Table2 t = ReproStats.table2(m.getKey(), m.getValue());
          assertEquals(IMAGES, t.images(), e + " " + m.getKey());
          assertTrue(t.robustError() >= 0 && t.robustError() <= 1 && t.attackError() >= 0 && t.attackError() <= 1);
        } else {
          ReproStats.Table1 t = ReproStats.table1(m.getKey(), m.getValue());
          double sigma = Double.parseDouble(m.getKey().substring(m.getKey().lastIndexOf('-') + 1));
          assertEquals(IMAGES, t.certified() + t.abstained());
          for (OutcomeRow r : m.getValue()) {
            assertTrue(!r.naturalIssued() || r.naturalRadius() >= 0 && r.naturalRadius() <= 4 * sigma, r.toString());
            assertTrue(r.spoofedRadius() >= 0 && r.spoofedRadius() <= 4 * sigma, r.toString());
            assertTrue(!r.success() || r.attackLabel() != r.label(), r.toString());
          }
        }
      }
      assertEquals(e.startsWith("table2") ? 6 : 1, byModel.size(), e);
    }
    List<String> pngs = new ArrayList<>();
    try (var s = Files.list(out)) {
      s.filter(p -> p.toString().endsWith(".png")).forEach(p -> pngs.add(p.getFileName().toString()));
    }
    assertTrue(pngs.containsAll(List.of("table1-success-by-class.png", "table2-errors.png",
        "table1-radii-fmnist-rs-0.25.png", "rgb-radii-fmnist-rgb-rs-0.50.png")), pngs.toString());
    for (String p : pngs) {
      assertNotNull(ImageIO.read(out.resolve(p).toFile()), p);
    }
  }

  /**
   * The experiment's sweep request with the CI scale: images 0..1, targets 0..2 (image 1 is a 2, so one
   * job is refused as target = label, as in the full runs), 3 steps, B = 8, n0 = 20, n = 200.
   */
  static JsonNode scaledDown(JsonNode sweep) {
    ObjectNode s = sweep.deepCopy();
    s.set("images", JSON.createObjectNode().put("from", 0).put("to", IMAGES));
    s.set("targets", JSON.createArrayNode().add(0).add(1).add(2));
    ObjectNode o = s.has("overrides") && s.get("overrides").isObject() ? (ObjectNode) s.get("overrides") : s.putObject("overrides");
    o.put("steps", 3);
    if (s.has("smoothing")) {
      o.put("noiseBatch", 8);
      ((ObjectNode) s.get("smoothing")).put("n0", 20).put("n", 200).put("batchSize", 200);
    }
    return s;
  }
}

package dev.shadowfleet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/shadowfleet-dashboard.json: datasources only through variables, every ShadowFleet metric
 * it plots is one the code exports, every table it queries is one the coordinator's migrations create.
 */
class GrafanaDashboardTest {
  private static final JsonNode DASH = read();
  private static final Pattern OUR_METRIC = Pattern.compile("\\b(shadowfleet_[a-z0-9_]+)");

  private static JsonNode read() {
    try {
      return Repo.JSON.readTree(Repo.read("deploy/grafana/shadowfleet-dashboard.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void datasourcesAreVariablesNeverFixedUids() {
    Map<String, String> dsVars = new TreeMap<>();
    for (JsonNode v : DASH.path("templating").path("list")) {
      if (v.path("type").asText().equals("datasource")) {
        dsVars.put(v.path("name").asText(), v.path("query").asText());
      }
    }
    assertEquals(Map.of("prometheus", "prometheus", "postgres", "grafana-postgresql-datasource"), dsVars);
    List<JsonNode> refs = new ArrayList<>();
    collect(DASH, "datasource", refs);
    assertFalse(refs.isEmpty());
    for (JsonNode ds : refs) {
      String uid = ds.path("uid").asText();
      Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(uid);
      assertTrue(m.matches(), "datasource uid must be a variable, got " + ds);
      assertTrue(dsVars.containsKey(m.group(1)), "unknown datasource variable " + uid);
      assertEquals(dsVars.get(m.group(1)), ds.path("type").asText(), "type of " + uid);
    }
    assertFalse(DASH.has("__inputs") && DASH.path("__inputs").size() > 0, "no import-time inputs needed");
  }

  @Test
  void coversThroughputLagFailuresWorkersAndSweepResults() {
    String exprs = String.join("\n", targets("expr"));
    for (String metric : List.of("shadowfleet_jobs_published_total", "shadowfleet_results_ingested_total",
        "shadowfleet_jobs_failed_total", "shadowfleet_worker_info", "shadowfleet_worker_dlq_total")) {
      assertTrue(exprs.contains(metric), "plots " + metric);
    }
    assertTrue(exprs.contains("keda_scaler_metrics_value{scaledObject=\"worker\"}"), "the jobs lag KEDA scales on");
    String sql = String.join("\n", targets("rawSql")).toLowerCase(Locale.ROOT);
    for (String part : List.of("from v_sweep_progress", "from v_model_summary", "attack_radius", "natural_radius", "success")) {
      assertTrue(sql.contains(part), "SQL reads " + part);
    }
    // The ScaledObject the lag panel names exists.
    assertTrue(Repo.read("deploy/k8s/base/worker-scaledobject.yaml").contains("  name: worker\n"));
  }

  @Test
  void everyShadowFleetMetricPlottedIsExportedByTheCode() {
    Set<String> exported = exportedMetrics();
    Set<String> missing = new TreeSet<>();
    for (String expr : targets("expr")) {
      Matcher m = OUR_METRIC.matcher(expr);
      while (m.find()) {
        if (!exported.contains(m.group(1))) {
          missing.add(m.group(1));
        }
      }
    }
    assertEquals(Set.of(), missing, "metrics no code exports (exported: " + exported + ")");
  }

  @Test
  void everyTableQueriedIsCreatedByTheCoordinatorsMigrations() {
    Set<String> created = new TreeSet<>();
    Path dir = Repo.path("coordinator/src/main/resources/db/migration");
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
        Matcher m = Pattern.compile("(?i)CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:MATERIALIZED\\s+)?(?:TABLE|VIEW)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\\w+)")
            .matcher(Files.readString(f));
        while (m.find()) {
          created.add(m.group(1).toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("coordinator migrations", e);
    }
    List<String> queries = new ArrayList<>(targets("rawSql"));
    for (JsonNode v : DASH.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        queries.add(v.path("query").asText());
      }
    }
    Set<String> unknown = new TreeSet<>();
    for (String q : queries) {
      Matcher m = Pattern.compile("(?i)\\b(?:FROM|JOIN)\\s+(\\w+)").matcher(q);
      while (m.find()) {
        if (!created.contains(m.group(1).toLowerCase(Locale.ROOT))) {
          unknown.add(m.group(1));
        }
      }
    }
    assertEquals(Set.of(), unknown, "tables/views not in the migrations (created: " + created + ")");
    // The results data source may use the read-only role: it reads the documented views only.
    Set<String> tables = new TreeSet<>();
    for (String q : queries) {
      Matcher m = Pattern.compile("(?i)\\b(?:FROM|JOIN)\\s+(\\w+)").matcher(q);
      while (m.find()) {
        if (!m.group(1).toLowerCase(Locale.ROOT).startsWith("v_")) {
          tables.add(m.group(1));
        }
      }
    }
    assertEquals(Set.of(), tables, "SQL panels must read the v_* views (granted to shadowfleet_reader), not tables");
  }

  @Test
  void panelsDoNotOverlapAndHaveUniqueIds() {
    Set<Integer> ids = new TreeSet<>();
    List<int[]> boxes = new ArrayList<>();
    for (JsonNode p : DASH.path("panels")) {
      assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id " + p.path("id"));
      JsonNode g = p.path("gridPos");
      int[] b = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
      assertTrue(b[0] >= 0 && b[0] + b[2] <= 24, "panel " + p.path("title") + " fits the 24-column grid");
      for (int[] o : boxes) {
        boolean overlap = b[0] < o[0] + o[2] && o[0] < b[0] + b[2] && b[1] < o[1] + o[3] && o[1] < b[1] + b[3];
        assertFalse(overlap, "panel " + p.path("title") + " overlaps another");
      }
      boxes.add(b);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  /**
   * Prometheus names of the metrics the code exports: the worker writes them by hand (underscored
   * literals), the coordinator registers Micrometer meters (dotted names; a counter gains {@code _total},
   * a timer {@code _seconds_count/_sum/_max}).
   */
  static Set<String> exportedMetrics() {
    String code = Repo.javaSources("gpu-worker/src/main/java") + Repo.javaSources("coordinator/src/main/java");
    Set<String> out = new TreeSet<>();
    Matcher lit = Pattern.compile("\"(shadowfleet_[a-z0-9_]+)").matcher(code);
    while (lit.find()) {
      out.add(lit.group(1));
    }
    Matcher meter = Pattern.compile("(Counter|Gauge|Timer|DistributionSummary)\\.builder\\(\\s*\"(shadowfleet\\.[a-z0-9.]+)\"").matcher(code);
    while (meter.find()) {
      String base = meter.group(2).replace('.', '_');
      switch (meter.group(1)) {
        case "Counter" -> out.add(base + "_total");
        case "Gauge" -> out.add(base);
        case "Timer" -> out.addAll(List.of(base + "_seconds_count", base + "_seconds_sum", base + "_seconds_max"));
        default -> out.addAll(List.of(base + "_count", base + "_sum", base + "_max"));
      }
    }
    return out;
  }

  private static List<String> targets(String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : DASH.path("panels")) {
      for (JsonNode t : p.path("targets")) {
        if (t.hasNonNull(field)) {
          out.add(t.path(field).asText());
        }
      }
    }
    return out;
  }

  private static void collect(JsonNode node, String field, List<JsonNode> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals(field) && e.getValue().isObject()) {
          out.add(e.getValue());
        }
        collect(e.getValue(), field, out);
      });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, field, out));
    }
  }
}

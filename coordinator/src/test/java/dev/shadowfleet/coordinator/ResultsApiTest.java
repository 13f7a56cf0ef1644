package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.coordinator.ingest.ResultBatchWriter;
import dev.shadowfleet.coordinator.sweep.OutcomeQuery;
import dev.shadowfleet.coordinator.sweep.ResultService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQL views and the results API over a sweep whose results went through the real ingestion path
 * ({@link ResultBatchWriter}, in batches with redeliveries, on the real PostgreSQL); every number is
 * checked against the same number computed in Java from the results ({@link SweepResults}).
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class ResultsApiTest {
  static final int IMAGES = 40;
  static String sweep;
  static String rs;
  static String ibp;
  static SweepResults rsResults;
  static SweepResults ibpResults;

  @Inject AgroalDataSource db;
  @Inject ResultBatchWriter writer;

  @BeforeEach
  void ingestOnce() {
    if (sweep != null) {
      return;
    }
    rs = Api.model(false);
    ibp = Api.model(true);
    sweep = Api.submit(Api.sweep(IMAGES, rs, ibp));
    rsResults = SweepResults.generate(sweep, rs, false, IMAGES, 1);
    ibpResults = SweepResults.generate(sweep, ibp, true, IMAGES, 2);
    List<JobResult> all = new ArrayList<>(rsResults.results);
    all.addAll(ibpResults.results);
    Random rnd = new Random(3);
    for (int i = 0; i < 50; i++) {
      all.add(all.get(rnd.nextInt(all.size()))); // redeliveries change nothing
    }
    Collections.shuffle(all, rnd);
    for (int from = 0; from < all.size(); from += 97) {
      List<JobResult> batch = all.subList(from, Math.min(all.size(), from + 97));
      QuarkusTransaction.requiringNew().call(() -> writer.write(incoming(batch), List.of()));
    }
  }

  /** Results as the ingestion receives them (the encoded payload next to the decoded record). */
  static List<ResultBatchWriter.Incoming> incoming(List<JobResult> results) {
    return results.stream().map(r -> ResultBatchWriter.Incoming.of(r, MessageCodec.encode(r))).toList();
  }

  @Test
  void modelSummaryViewEqualsTheNumbersComputedInJava() {
    for (String model : List.of(rs, ibp)) {
      SweepResults.Numbers n = (model.equals(rs) ? rsResults : ibpResults).numbers();
      Map<String, Object> v = Api.rows(db, "SELECT * FROM v_model_summary WHERE sweep_id = '" + sweep + "' AND model_id = '" + model + "'").get(0);
      assertEquals(model.equals(rs) ? "smoothed" : "ibp", v.get("model_kind"));
      assertEquals(n.images(), v.get("images"));
      assertEquals(n.abstained(), v.get("abstained_images"));
      assertEquals(n.certified(), v.get("certified_images"));
      assertEquals(n.successful(), v.get("successful_images"));
      close(n.natMean(), v.get("natural_radius_mean"));
      close(n.natStd(), v.get("natural_radius_stddev"));
      close(n.attMean(), v.get("attack_radius_mean"));
      close(n.attStd(), v.get("attack_radius_stddev"));
      close(n.successRate(), v.get("success_rate"));
      close(n.robustError(), v.get("robust_error"));
      close(n.attackError(), v.get("attack_error"));
    }
    SweepResults.Numbers r = rsResults.numbers();
    assertTrue(r.abstained() > 0 && r.successful() > 0 && r.successful() < r.certified(), "the data exercise every case: " + r);
    SweepResults.Numbers i = ibpResults.numbers();
    assertTrue(i.robustError() > 0 && i.robustError() < 1 && i.attackError() > 0 && i.attackError() < 1, i.toString());
  }

  @Test
  void imageOutcomesViewHasTheBestResultOfEveryImageWithItsNorms() {
    var best = rsResults.best();
    List<Map<String, Object>> rows = Api.rows(db,
        "SELECT * FROM v_image_outcomes WHERE sweep_id = '" + sweep + "' AND model_id = '" + rs + "' ORDER BY image_index");
    assertEquals(IMAGES, rows.size());
    for (Map<String, Object> row : rows) {
      JobResult b = best.get((Integer) row.get("image_index"));
      assertEquals(b.jobId(), row.get("best_job_id"));
      assertEquals(b.deltaL2(), row.get("delta_l2"));
      assertEquals(b.natural().abstained(), row.get("natural_abstained"));
      assertEquals(b.natural().radius(), row.get("natural_radius"));
      assertEquals(b.success(), row.get("success"));
      assertEquals("smoothed", row.get("model_kind"));
      assertEquals(9, row.get("results"));
    }
  }

  @Test
  void sweepProgressViewEqualsTheJobs() {
    Map<String, Object> v = Api.rows(db, "SELECT * FROM v_sweep_progress WHERE sweep_id = '" + sweep + "'").get(0);
    long done = Api.count(db, "SELECT count(*) FROM jobs WHERE sweep_id = '" + sweep + "' AND state = 'DONE'");
    long skipped = Api.count(db, "SELECT count(*) FROM jobs WHERE sweep_id = '" + sweep + "' AND state = 'SKIPPED'");
    assertEquals(done, v.get("done"));
    assertEquals(skipped, v.get("skipped"));
    assertEquals((long) rsResults.results.size() + ibpResults.results.size(), done + skipped);
    assertEquals(2L * IMAGES, v.get("queued")); // the jobs whose target is the label got no result here
    assertEquals(2L * IMAGES * 10, v.get("total_jobs"));
    assertEquals(Math.round(1000.0 * (done + skipped) / (20 * IMAGES)) / 10.0, ((java.math.BigDecimal) v.get("percent")).doubleValue());
  }

  @Test
  void theReaderRoleReadsTheViewsAndNotTheTables() throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("SET ROLE shadowfleet_reader");
      try {
        for (String view : List.of("v_sweep_progress", "v_image_outcomes", "v_model_summary")) {
          try (var rs = s.executeQuery("SELECT count(*) FROM " + view)) {
            assertTrue(rs.next());
          }
        }
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT count(*) FROM job_results"));
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
      } finally {
        s.execute("RESET ROLE");
      }
    }
  }

  /** The migration's role block, run by a user without CREATEROLE while the role is missing: a notice, no failure. */
  @Test
  void theRoleIsSkippedWithANoticeWhenTheMigratingUserMayNotCreateRoles() throws Exception {
    String migration = new String(getClass().getResourceAsStream("/db/migration/V3__views.sql").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    String block = migration.substring(migration.indexOf("DO $$"), migration.lastIndexOf("$$") + 2);
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("ALTER ROLE shadowfleet_reader RENAME TO shadowfleet_reader_away"); // undone by the rollback
        s.execute("CREATE ROLE sf_plain_migrator NOCREATEROLE");
        s.execute("SET LOCAL ROLE sf_plain_migrator");
        s.execute(block);
        java.sql.SQLWarning w = s.getWarnings();
        assertNotNull(w);
        assertTrue(w.getMessage().contains("shadowfleet_reader not created"), w.getMessage());
        s.execute("RESET ROLE");
        try (var r = s.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = 'shadowfleet_reader'")) {
          r.next();
          assertEquals(0, r.getInt(1));
        }
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
    assertEquals(1, Api.count(db, "SELECT count(*) FROM pg_roles WHERE rolname = 'shadowfleet_reader'"));
  }

  @Test
  void summaryApiReturnsTheViewsNumbersTargetRatesAndHistograms() {
    JsonPath j = new JsonPath(given().get("/api/sweeps/" + sweep + "/summary").then().statusCode(200).extract().asString())
        .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    assertEquals(2, j.getList("models").size());
    for (int m = 0; m < 2; m++) {
      String model = j.getString("models[" + m + "].modelId");
      SweepResults set = model.equals(rs) ? rsResults : ibpResults;
      Map<String, Object> v = Api.rows(db, "SELECT * FROM v_model_summary WHERE sweep_id = '" + sweep + "' AND model_id = '" + model + "'").get(0);
      String p = "models[" + m + "].";
      assertEquals(((Number) v.get("certified_images")).longValue(), j.getLong(p + "certifiedImages"));
      close((Double) v.get("natural_radius_mean"), j.getDouble(p + "table1.naturalRadiusMean"));
      close((Double) v.get("attack_radius_stddev"), j.getDouble(p + "table1.attackRadiusStddev"));
      close((Double) v.get("success_rate"), j.getDouble(p + "table1.successRate"));
      close((Double) v.get("robust_error"), j.getDouble(p + "table2.robustError"));
      close((Double) v.get("attack_error"), j.getDouble(p + "table2.attackError"));

      var byTarget = set.successByTarget();
      List<Map<String, Object>> rates = j.getList(p + "successByTarget");
      assertEquals(byTarget.size(), rates.size());
      for (Map<String, Object> rate : rates) {
        long[] expected = byTarget.get((Integer) rate.get("target"));
        assertEquals(expected[0], ((Number) rate.get("jobs")).longValue());
        assertEquals(expected[1], ((Number) rate.get("successes")).longValue());
      }

      List<Float> edges = j.getList(p + "histogram.edges", Float.class);
      assertEquals(ResultService.HISTOGRAM_BINS + 1, edges.size());
      double upper = j.getDouble(p + "histogram.edges[" + ResultService.HISTOGRAM_BINS + "]");
      List<JobResult> kept = set.best().values().stream().filter(r -> !r.natural().abstained()).toList();
      assertHistogram(kept.stream().mapToDouble(r -> r.natural().radius()).toArray(), upper, j.getList(p + "histogram.natural", Long.class));
      assertHistogram(kept.stream().mapToDouble(r -> r.success() ? r.attack().radius() : 0).toArray(), upper,
          j.getList(p + "histogram.attack", Long.class));
    }
    assertEquals(1, j.getInt("ibpFamily.models"));
    close(ibpResults.numbers().robustError(), j.getDouble("ibpFamily.robustError.max"));
    given().get("/api/sweeps/sw-nonexistent/summary").then().statusCode(404).body("field", equalTo("id"));
  }

  /** Bins recomputed here; a value exactly on a bin edge may fall either side (floating point). */
  private static void assertHistogram(double[] values, double upper, List<Long> actual) {
    int bins = ResultService.HISTOGRAM_BINS;
    long[] expected = new long[bins];
    int onEdge = 0;
    for (double v : values) {
      double x = v / upper * bins;
      expected[Math.min(bins - 1, (int) Math.floor(x))]++;
      if (Math.abs(x - Math.rint(x)) < 1e-9 && x > 0 && x < bins) {
        onEdge++;
      }
    }
    long diff = 0;
    long sum = 0;
    for (int i = 0; i < bins; i++) {
      diff += Math.abs(expected[i] - actual.get(i));
      sum += actual.get(i);
    }
    assertEquals(values.length, sum);
    assertTrue(diff <= 2L * onEdge, "expected " + java.util.Arrays.toString(expected) + ", got " + actual);
  }

  @Test
  void outcomeListingPagesFiltersAndSorts() {
    List<JobResult> expected = rsResults.byAttackRadiusDesc();
    List<Object> jobIds = new ArrayList<>();
    for (int page = 0; page * 7 < IMAGES; page++) {
      JsonPath j = given().queryParam("model", rs).queryParam("sort", "-attackRadius").queryParam("page", page).queryParam("size", 7)
          .get("/api/sweeps/" + sweep + "/outcomes").then().statusCode(200).extract().jsonPath();
      assertEquals(IMAGES, j.getInt("total"));
      jobIds.addAll(j.getList("items.bestJobId"));
    }
    assertEquals(expected.stream().map(JobResult::jobId).toList(), jobIds);
    given().queryParam("model", rs).queryParam("size", 500).get("/api/sweeps/" + sweep + "/outcomes").then().statusCode(200)
        .body("items.hasImages", equalTo(rsResults.best().values().stream().map(r -> r.images() != null).toList()));

    long successes = rsResults.best().values().stream().filter(JobResult::success).count();
    given().queryParam("model", rs).queryParam("success", "true").queryParam("size", 500).get("/api/sweeps/" + sweep + "/outcomes")
        .then().statusCode(200).body("total", equalTo((int) successes)).body("items.success.unique()", equalTo(List.of(true)));
    List<Integer> label3 = rsResults.best().values().stream().filter(r -> r.label() == 3).map(JobResult::imageIndex).toList();
    given().queryParam("model", rs).queryParam("label", 3).queryParam("sort", "imageIndex").get("/api/sweeps/" + sweep + "/outcomes")
        .then().statusCode(200).body("items.imageIndex", equalTo(label3)).body("items.label.unique()", equalTo(List.of(3)));
    given().get("/api/sweeps/" + sweep + "/outcomes?size=500").then().statusCode(200).body("total", equalTo(2 * IMAGES));
  }

  @Test
  void badParametersAreRefusedNamingTheParameter() {
    String base = "/api/sweeps/" + sweep;
    for (String[] bad : new String[][] {
        {"/outcomes?sort=bogus", "sort"}, {"/outcomes?sort=-label;drop", "sort"}, {"/outcomes?success=maybe", "success"},
        {"/outcomes?label=x", "label"}, {"/outcomes?label=-1", "label"}, {"/outcomes?size=0", "size"},
        {"/outcomes?page=-1", "page"}, {"/outcomes.csv?sort=radius", "sort"}, {"/images/" + rs + "/minus", "index"},
        {"/images/" + rs + "/0/other.png", "kind"}}) {
      given().get(base + bad[0]).then().statusCode(400).body("field", equalTo(bad[1])).body("status", equalTo(400));
    }
    given().get("/api/sweeps/sw-nonexistent/outcomes.csv").then().statusCode(404).body("field", equalTo("id"));
    given().get(base + "/images/" + rs + "/99999").then().statusCode(404);
  }

  @Test
  void oneImageHasEveryTargetTheBestOutcomeAndItsPngs() {
    int index = rsResults.results.stream().filter(r -> r.images() != null).findFirst().orElseThrow().imageIndex();
    JobResult best = rsResults.best().get(index);
    JsonPath j = given().get("/api/sweeps/" + sweep + "/images/" + rs + "/" + index).then().statusCode(200).extract().jsonPath();
    assertEquals(10, j.getList("targets").size());
    assertEquals("QUEUED", j.getString("targets[" + Results.label(index) + "].state")); // no result for target = label
    assertEquals(best.jobId(), j.getString("best.bestJobId"));
    assertEquals(best.natural().label(), j.getInt("natural.label"));
    assertEquals(best.label(), j.getInt("label"));
    for (JobResult r : rsResults.results) {
      if (r.imageIndex() == index) {
        assertEquals(r.success(), j.getBoolean("targets[" + r.target() + "].success"));
        assertEquals(r.images() != null, j.getBoolean("targets[" + r.target() + "].hasImages"));
      }
    }
    JobResult withImages = rsResults.results.stream().filter(r -> r.images() != null && r.imageIndex() == index).findFirst().orElseThrow();
    byte[] png = given().queryParam("target", withImages.target())
        .get("/api/sweeps/" + sweep + "/images/" + rs + "/" + index + "/perturbation.png")
        .then().statusCode(200).contentType("image/png").extract().asByteArray();
    assertArrayEquals(Base64.getDecoder().decode(withImages.images().perturbation()), png);
    if (best.images() == null) {
      assertNull(j.get("images"));
      given().get("/api/sweeps/" + sweep + "/images/" + rs + "/" + index + "/natural.png").then().statusCode(404);
    } else {
      assertEquals(best.images().natural(), j.getString("images.natural"));
    }
  }

  @Test
  void csvExportHasEveryOutcomeInTheListingsOrder() {
    String csv = given().queryParam("model", ibp).queryParam("sort", "-attackRadius")
        .get("/api/sweeps/" + sweep + "/outcomes.csv").then().statusCode(200).contentType(startsWith("text/csv"))
        .extract().asString();
    String[] lines = csv.split("\n");
    assertEquals(ResultService.CSV_HEADER, lines[0]);
    assertEquals(IMAGES + 1, lines.length);
    List<String> expected = ibpResults.byAttackRadiusDesc().stream().map(JobResult::jobId).toList();
    List<String> actual = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split(",", -1);
      assertEquals(20, f.length, lines[i]);
      assertEquals(ibp, f[0]);
      actual.add(f[19]);
      JobResult b = ibpResults.best().get(Integer.parseInt(f[1]));
      assertEquals(String.valueOf(b.success()), f[5]);
      assertEquals(b.deltaL2(), Double.valueOf(f[16]));
    }
    assertEquals(expected, actual);
  }

  @Test
  void theDashboardIsServedAndLoadsNothingFromElsewhere() {
    for (String page : List.of("/", "/sweep.html", "/image.html", "/dashboard.js", "/dashboard.css")) {
      String body = given().get(page).then().statusCode(200).extract().asString();
      assertFalse(body.replace("http://www.w3.org/2000/svg", "").matches("(?s).*(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/.*"), page + " refers to another host");
    }
    given().get("/").then().body(org.hamcrest.Matchers.containsString("src=\"/dashboard.js\""));
  }

  @Test
  void theResultsEndpointsAreInTheOpenApiDocument() {
    String doc = given().get("/q/openapi").then().statusCode(200).extract().asString();
    for (String path : List.of("/api/sweeps/{id}/summary", "/api/sweeps/{id}/outcomes.csv", "/api/sweeps/{id}/images/{model}/{index}",
        "/api/sweeps/{id}/images/{model}/{index}/{kind}.png", "/api/sweeps/{id}/outcomes")) {
      assertTrue(doc.contains(path + ":"), path);
    }
    assertTrue(doc.contains("ModelSummary") && doc.contains("Table1") && doc.contains("ImageDetail"));
  }

  @Test
  void theListingUsesAnIndexOnALargeTable() throws SQLException {
    String big = "sw-explain" + System.nanoTime();
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO image_outcomes (sweep_id, model_id, image_index, best_job_id, target, status, label, success,"
              + " targeted_success, natural_label, natural_certified, natural_radius, attack_label, attack_certified,"
              + " attack_radius, attack_method, spoof_loss, tv, results, rank_key)"
              + " SELECT '" + big + "', 'm' || (g % 4), g / 4, '" + big + "/m' || (g % 4) || '/' || (g / 4) || '/1', 1, 'DONE',"
              + " (g / 4) % 10, g % 3 = 0, false, (g / 4) % 10, true, (g % 97) / 100.0, 1, g % 3 = 0,"
              + " CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 89) / 100.0 END, 'rs', 1.0, 0.01, 9, '\\x00'::bytea"
              + " FROM generate_series(0, 99999) g");
      s.execute("ANALYZE image_outcomes");
      try {
        for (String[] params : new String[][] {{null, null, null}, {"-attackRadius", null, null}, {"attackRadius", null, null},
            {null, "3", null}, {"-naturalRadius", null, "true"}, {null, null, "false"}}) {
          OutcomeQuery q = OutcomeQuery.parse(big, "m2", params[2], params[1], params[0]);
          String plan = explain(c, q);
          assertFalse(plan.contains("Seq Scan"), String.join(",", java.util.Arrays.asList(params)) + ":\n" + plan);
          assertTrue(plan.contains("Index"), plan);
        }
      } finally {
        s.executeUpdate("DELETE FROM image_outcomes WHERE sweep_id = '" + big + "'");
      }
    }
  }

  private static String explain(Connection c, OutcomeQuery q) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + ResultService.pageSql(q))) {
      int i = q.bind(ps);
      ps.setInt(i, 50);
      ps.setLong(i + 1, 500);
      StringBuilder sb = new StringBuilder();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          sb.append(rs.getString(1)).append('\n');
        }
      }
      return sb.toString();
    }
  }

  private static void close(Double expected, Object actual) {
    if (expected == null) {
      assertNull(actual);
      return;
    }
    assertNotNull(actual);
    assertEquals(expected, ((Number) actual).doubleValue(), 1e-9);
  }
}

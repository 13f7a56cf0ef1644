package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.coordinator.ingest.ResultBatchWriter;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The 1-channel vs 3-channel comparison of two sweeps, against numbers recomputed from their outcome rows. */
@QuarkusTest
@WithTestResource(RealServices.class)
class CompareTest {
  @Inject AgroalDataSource db;
  @Inject ResultBatchWriter writer;

  @Test
  void twoSweepsOfOneModelSideBySideAndPairedOnTheirCommonImages() {
    String model = "rgb-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    given().contentType(ContentType.JSON)
        .body(Map.of("card", Api.card(model, "smoothed", 0.25, 3), "sha256", Api.SHA))
        .post("/api/models").then().statusCode(201);
    Map<String, Object> one = Api.sweep(30, model);
    one.put("dataset", "fashion-mnist-rgb:test");
    Map<String, Object> three = new HashMap<>(one);
    three.put("preset", "paper-rs-3ch");
    three.put("images", Map.of("from", 10, "to", 40)); // 20 images in common
    String a = Api.submit(one);
    String b = Api.submit(three);
    List<JobResult> all = new java.util.ArrayList<>(SweepResults.generate(a, model, false, 40, 5).results);
    all.removeIf(r -> r.imageIndex() >= 30);
    List<JobResult> forB = new java.util.ArrayList<>(SweepResults.generate(b, model, false, 40, 6).results);
    forB.removeIf(r -> r.imageIndex() < 10);
    all.addAll(forB);
    QuarkusTransaction.requiringNew().call(() -> writer.write(ResultsApiTest.incoming(all), List.of()));

    JsonPath c = new JsonPath(given().get("/api/compare?sweeps=" + a + "," + b).then().statusCode(200).extract().asString())
        .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    assertEquals(List.of(a, b), c.getList("sweeps.sweepId"));
    assertEquals(List.of("ONE_CHANNEL", "THREE_CHANNEL"), c.getList("sweeps.channelMode"));
    assertEquals(List.of("quick", "paper-rs-3ch"), c.getList("sweeps.preset"));
    assertEquals(30.0, c.getDouble("sweeps[0].models[0].images"));

    // recomputed from the outcome rows of both sweeps
    Map<Integer, Map<String, Object>> x = byImage(a, model);
    Map<Integer, Map<String, Object>> y = byImage(b, model);
    long images = 0, okA = 0, okB = 0, both = 0;
    double radiusA = 0, radiusB = 0;
    for (var e : x.entrySet()) {
      Map<String, Object> o = y.get(e.getKey());
      Map<String, Object> p = e.getValue();
      if (o == null || (Integer) p.get("natural_label") < 0 || (Integer) o.get("natural_label") < 0) {
        continue;
      }
      images++;
      boolean sa = (Boolean) p.get("success");
      boolean sb = (Boolean) o.get("success");
      okA += sa ? 1 : 0;
      okB += sb ? 1 : 0;
      both += sa && sb ? 1 : 0;
      radiusA += sa ? (Double) p.get("attack_radius") : 0;
      radiusB += sb ? (Double) o.get("attack_radius") : 0;
    }
    assertEquals(1, c.getList("paired").size());
    assertEquals((double) images, c.getDouble("paired[0].images"));
    assertEquals((double) okA, c.getDouble("paired[0].successA"));
    assertEquals((double) okB, c.getDouble("paired[0].successB"));
    assertEquals((double) both, c.getDouble("paired[0].successBoth"));
    assertEquals(radiusA / images, c.getDouble("paired[0].attackRadiusMeanA"), 1e-9);
    assertEquals((radiusB - radiusA) / images, c.getDouble("paired[0].attackRadiusMeanDiff"), 1e-9);

    given().get("/api/compare?sweeps=" + a).then().statusCode(400).body("field", equalTo("sweeps"));
    given().get("/api/compare?sweeps=" + a + ",sw-nosuchsweep").then().statusCode(404).body("field", equalTo("sweeps"));
    given().get("/api/compare?sweeps=" + a + "," + a).then().statusCode(400).body("field", equalTo("sweeps"));
  }

  private Map<Integer, Map<String, Object>> byImage(String sweep, String model) {
    Map<Integer, Map<String, Object>> out = new HashMap<>();
    for (Map<String, Object> r : Api.rows(db, "SELECT image_index, natural_label, success, attack_radius FROM image_outcomes"
        + " WHERE sweep_id = '" + sweep + "' AND model_id = '" + model + "'")) {
      out.put((Integer) r.get("image_index"), r);
    }
    return out;
  }
}

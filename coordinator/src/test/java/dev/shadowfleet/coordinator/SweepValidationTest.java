package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One bad field per request → 4xx naming it, and nothing stored. */
@QuarkusTest
@WithTestResource(RealServices.class)
class SweepValidationTest {
  @Inject AgroalDataSource db;

  String rs;
  String ibp;

  @BeforeEach
  void models() {
    rs = Api.model(false);
    ibp = Api.model(true);
  }

  record Case(String field, Consumer<Map<String, Object>> edit) {}

  @Test
  void everyBadFieldIsRefusedByNameAndLeavesNothing() {
    List<Case> cases = List.of(
        new Case("dataset", b -> b.remove("dataset")),
        new Case("dataset", b -> b.put("dataset", "http://evil.example/data")),
        new Case("datasetSize", b -> b.put("dataset", "folder:/data/val")),
        new Case("datasetSize", b -> b.put("datasetSize", 123)),
        new Case("images", b -> b.remove("images")),
        new Case("images", b -> b.put("images", "0-10")),
        new Case("images", b -> b.put("images", List.of())),
        new Case("images.from", b -> b.put("images", Map.of("from", -1, "to", 5))),
        new Case("images.to", b -> b.put("images", Map.of("from", 0, "to", 10_001))),
        new Case("images.to", b -> b.put("images", Map.of("from", 5, "to", 5))),
        new Case("images.from", b -> b.put("images", Map.of("from", 10_000, "to", 10_001))),
        new Case("images.step", b -> b.put("images", Map.of("from", 0, "to", 5, "step", 2))),
        new Case("images[2]", b -> b.put("images", List.of(1, 2, 10_000))),
        new Case("images[1]", b -> b.put("images", List.of(4, 4))),
        new Case("models", b -> b.put("models", List.of())),
        new Case("models[1]", b -> b.put("models", List.of(rs, "no-such-model"))),
        new Case("models[1]", b -> b.put("models", List.of(rs, rs))),
        new Case("models[0]", b -> b.put("dataset", "fashion-mnist-rgb:test")),
        new Case("targets", b -> b.put("targets", "some")),
        new Case("targets", b -> b.remove("targets")),
        new Case("targets[1]", b -> b.put("targets", List.of(1, 10))),
        new Case("targets[0]", b -> b.put("targets", List.of(-1))),
        new Case("targets[1]", b -> b.put("targets", List.of(3, 3))),
        new Case("preset", b -> b.put("preset", "paper-nope")),
        new Case("overrides.lambdaTv", b -> b.put("overrides", Map.of("lambdaTv", -1.0))),
        new Case("overrides.nonsense", b -> b.put("overrides", Map.of("nonsense", 1))),
        new Case("overrides.sigma", b -> b.put("overrides", Map.of("sigma", 0.5))),
        new Case("smoothing.n", b -> b.put("smoothing", Map.of("n0", 10, "n", 5, "alpha", 0.001, "batchSize", 10, "mode", "CERTIFY_ALL"))),
        new Case("smoothing.alpha", b -> b.put("smoothing", Map.of("n0", 10, "n", 1000, "alpha", 2.0, "batchSize", 10, "mode", "CERTIFY_ALL"))),
        new Case("ibp.beta", b -> b.put("ibp", Map.of("epsilon", 0.1, "method", "CROWN_IBP", "beta", 2.0))),
        new Case("priority", b -> b.put("priority", 1000)),
        new Case("priority", b -> b.put("priority", "high")),
        new Case("colour", b -> b.put("colour", "red")),
        new Case("images", b -> {
          b.put("dataset", "fashion-mnist:train");
          b.put("images", Map.of("from", 0, "to", 60_000));
          b.put("models", List.of(rs, ibp));
          b.put("targets", "all"); // 1.2M jobs > the limit of 1M set for the tests
        }));
    long sweepsBefore = Api.count(db, "SELECT count(*) FROM sweeps");
    long jobsBefore = Api.count(db, "SELECT count(*) FROM jobs");
    for (Case c : cases) {
      Map<String, Object> body = new HashMap<>(Api.sweep(3, rs));
      c.edit().accept(body);
      given().contentType(ContentType.JSON).body(body).post("/api/sweeps")
          .then().log().ifValidationFails()
          .statusCode(400)
          .body("status", equalTo(400))
          .body("field", equalTo(c.field()))
          .body("message", not(containsString("Exception")));
    }
    assertEquals(sweepsBefore, Api.count(db, "SELECT count(*) FROM sweeps"));
    assertEquals(jobsBefore, Api.count(db, "SELECT count(*) FROM jobs"));
  }

  @Test
  void brokenJsonAndWrongTypesAre400NotServerErrors() {
    given().contentType(ContentType.JSON).body("{\"dataset\": \"fashion-mnist:test\", ").post("/api/sweeps")
        .then().statusCode(400).body("field", equalTo("$"));
    given().contentType(ContentType.JSON).body("[1, 2]").post("/api/sweeps").then().statusCode(400);
    given().contentType(ContentType.JSON).body("").post("/api/sweeps").then().statusCode(400).body("field", equalTo("$"));
    given().contentType(ContentType.JSON).body("{\"models\": 5}").post("/api/sweeps").then().statusCode(400).body("field", equalTo("models"));
    given().get("/api/sweeps/sw-none").then().statusCode(404).body("field", equalTo("id"));
    given().get("/api/sweeps?size=0").then().statusCode(400).body("field", equalTo("size"));
    given().get("/api/jobs/no/such/job/1").then().statusCode(404);
  }

  @Test
  void aValidSweepAnswersItsSizeAndEstimatedCost() {
    Map<String, Object> body = Api.sweep(4, rs, ibp);
    body.put("targets", List.of(1, 2, 3));
    given().contentType(ContentType.JSON).body(body).post("/api/sweeps")
        .then().statusCode(201)
        .body("jobs", equalTo(24))
        .body("state", equalTo("ACTIVE"))
        .body("estimate.models[0].basis", equalTo("configured"))
        .body("estimate.models[0].jobs", equalTo(12))
        .body("estimate.computeSeconds", equalTo(12.0f)); // 24 jobs × 0.5 s (preset quick)
    Map<String, Object> folder = Api.sweep(4, rs);
    folder.put("dataset", "folder:/data/imagenet/val");
    folder.put("datasetSize", 50_000);
    given().contentType(ContentType.JSON).body(folder).post("/api/sweeps").then().statusCode(201).body("jobs", equalTo(40));
  }
}

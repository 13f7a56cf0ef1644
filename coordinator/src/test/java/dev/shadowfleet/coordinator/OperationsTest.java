package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health, metrics and the OpenAPI document are served. */
@QuarkusTest
@WithTestResource(RealServices.class)
class OperationsTest {

  @Test
  void healthChecksSeeKafkaPostgresAndThePipelineThreads() {
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.name", hasItems("kafka", "Database connections health check"));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.find { it.name == 'shadowfleet-pipeline' }.data.relay", equalTo(true));
  }

  @Test
  void metricsAndOpenApiAreServed() {
    given().get("/q/metrics").then().statusCode(200)
        .body(containsString("shadowfleet_jobs_published_total"))
        .body(containsString("shadowfleet_results_ingested_total"))
        .body(containsString("shadowfleet_results_consumer_lag"));
    given().get("/q/openapi").then().statusCode(200)
        .body(containsString("/api/sweeps/{id}/cancel")).body(containsString("SweepRequest"));
  }
}

package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** {@code shadowfleet.auth.read-open=false}: every API read needs a token too; health stays open. */
@QuarkusTest
@TestProfile(AuthOn.ClosedReads.class)
@WithTestResource(RealServices.class)
class ClosedReadsTest {
  @Inject AgroalDataSource db;

  @Test
  void readsNeedAViewerToken() {
    for (String path : new String[] {"/api/sweeps", "/api/models", "/api/sweeps/sw-x/summary", "/api/jobs/a/b/1/2"}) {
      given().get(path).then().statusCode(401).body("field", equalTo("Authorization"));
    }
    String viewer = AuthOn.token(db, AuthOn.unique("reader"), "viewer");
    given().header("Authorization", "Bearer " + viewer).get("/api/sweeps").then().statusCode(200);
    given().header("Authorization", "Bearer " + viewer).get("/api/sweeps/sw-nosuch").then().statusCode(404);
    given().get("/q/health/live").then().statusCode(200);
  }
}

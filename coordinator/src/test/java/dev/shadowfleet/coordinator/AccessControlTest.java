package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.shadowfleet.common.auth.ApiToken;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Access control with authentication on and reads open: 401 vs 403, roles, ownership, token life cycle. */
@QuarkusTest
@TestProfile(AuthOn.class)
@WithTestResource(RealServices.class)
class AccessControlTest {
  @Inject AgroalDataSource db;

  String operator;
  String alice;
  String bob;
  String viewer;
  String model;

  @BeforeEach
  void tokens() {
    operator = AuthOn.token(db, AuthOn.unique("op"), "operator");
    alice = AuthOn.token(db, AuthOn.unique("alice"), "researcher");
    bob = AuthOn.token(db, AuthOn.unique("bob"), "researcher");
    viewer = AuthOn.token(db, AuthOn.unique("viv"), "viewer");
    model = "rs-" + UUID.randomUUID().toString().substring(0, 8);
    as(operator).contentType(ContentType.JSON)
        .body(Map.of("card", Api.card(model, "smoothed", 0.25, 1), "sha256", Api.SHA))
        .post("/api/models").then().statusCode(201);
  }

  static RequestSpecification as(String token) {
    return given().header("Authorization", "Bearer " + token);
  }

  @Test
  void withoutATokenReadsPassAndWritesGet401WithAReason() {
    given().get("/api/sweeps").then().statusCode(200);
    given().get("/api/models").then().statusCode(200).body("id", hasItem(model));
    long before = Api.count(db, "SELECT count(*) FROM sweeps");
    given().contentType(ContentType.JSON).body(Api.sweep(2, model)).post("/api/sweeps")
        .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
        .body("status", equalTo(401)).body("field", equalTo("Authorization")).body("message", containsString("token"));
    given().contentType(ContentType.JSON).body(Map.of("card", Api.card("x-1", "smoothed", 0.25, 1), "sha256", Api.SHA))
        .post("/api/models").then().statusCode(401);
    given().post("/api/sweeps/sw-nosuch/cancel").then().statusCode(401);
    given().get("/api/tokens").then().statusCode(401);
    given().contentType(ContentType.JSON).body(Map.of("name", "eve", "role", "operator")).post("/api/tokens")
        .then().statusCode(401);
    assertEquals(before, Api.count(db, "SELECT count(*) FROM sweeps"));
  }

  @Test
  void badTokensAre401EvenOnOpenReads() {
    for (String header : List.of("Bearer sf_short", "Bearer " + ApiToken.generate(), "Basic YWxpY2U6cHc=", "Bearer", "sf_x")) {
      given().header("Authorization", header).get("/api/sweeps")
          .then().statusCode(401).body("field", equalTo("Authorization")).body("message", notNullValue());
      given().header("Authorization", header).contentType(ContentType.JSON).body(Api.sweep(1, model))
          .post("/api/sweeps").then().statusCode(401);
    }
    given().header("Authorization", "Bearer " + ApiToken.generate()).get("/api/sweeps")
        .then().body("message", containsString("unknown or revoked"));
  }

  @Test
  void rolesGateWritesWith403() {
    as(viewer).get("/api/sweeps").then().statusCode(200);
    as(viewer).contentType(ContentType.JSON).body(Api.sweep(1, model)).post("/api/sweeps")
        .then().statusCode(403).body("status", equalTo(403)).body("field", equalTo("Authorization"));
    as(alice).contentType(ContentType.JSON)
        .body(Map.of("card", Api.card("r-" + UUID.randomUUID().toString().substring(0, 6), "smoothed", 0.25, 1), "sha256", Api.SHA))
        .post("/api/models").then().statusCode(403);
    as(alice).get("/api/tokens").then().statusCode(403);
  }

  @Test
  void researchersCancelOnlyTheirOwnSweepsOperatorsAny() {
    String aliceName = name(alice);
    String a1 = as(alice).contentType(ContentType.JSON).body(Api.sweep(2, model)).post("/api/sweeps")
        .then().statusCode(201).body("submittedBy", equalTo(aliceName)).extract().path("id");
    String a2 = as(alice).contentType(ContentType.JSON).body(Api.sweep(2, model)).post("/api/sweeps")
        .then().statusCode(201).extract().path("id");
    as(bob).post("/api/sweeps/" + a1 + "/cancel")
        .then().statusCode(403).body("field", equalTo("id")).body("message", containsString(aliceName));
    as(viewer).post("/api/sweeps/" + a1 + "/cancel").then().statusCode(403);
    given().get("/api/sweeps/" + a1).then().statusCode(200).body("state", equalTo("ACTIVE"));
    as(alice).post("/api/sweeps/" + a1 + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
    as(operator).post("/api/sweeps/" + a2 + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
    as(bob).post("/api/sweeps/sw-nosuch/cancel").then().statusCode(404);
  }

  @Test
  void operatorsCreateListAndRevokeTokensStoredOnlyAsHashes() {
    Map<String, Object> created = as(operator).contentType(ContentType.JSON)
        .body(Map.of("name", "carol", "role", "researcher")).post("/api/tokens")
        .then().statusCode(201).body("role", equalTo("researcher")).body("createdBy", equalTo(name(operator)))
        .extract().as(Map.class);
    String token = (String) created.get("token");
    String id = (String) created.get("id");
    assertEquals(ApiToken.publicId(token), id);
    as(token).contentType(ContentType.JSON).body(Api.sweep(1, model)).post("/api/sweeps")
        .then().statusCode(201).body("submittedBy", equalTo("carol"));

    String listing = as(operator).get("/api/tokens").then().statusCode(200)
        .body("id", hasItem(id)).body("find { it.id == '" + id + "' }.lastUsedAt", notNullValue())
        .extract().asString();
    assertFalse(listing.contains(token));
    assertFalse(listing.contains(ApiToken.hash(token)));
    // The database holds the hash, and the token nowhere.
    assertEquals(1, Api.count(db, "SELECT count(*) FROM api_tokens WHERE token_sha256 = '" + ApiToken.hash(token) + "'"));
    assertEquals(0, Api.count(db, "SELECT count(*) FROM api_tokens t WHERE position('" + token + "' in t::text) > 0"));

    as(operator).delete("/api/tokens/" + id).then().statusCode(200).body("revokedAt", notNullValue());
    as(token).get("/api/sweeps").then().statusCode(401).body("message", containsString("revoked"));
    as(operator).delete("/api/tokens/tok-nosuch").then().statusCode(404);

    for (Map<String, Object> bad : List.of(Map.<String, Object>of("name", "carol", "role", "admin"),
        Map.<String, Object>of("name", "a b", "role", "viewer"), Map.<String, Object>of("role", "viewer"))) {
      String field = bad.get("role").equals("admin") ? "role" : "name";
      as(operator).contentType(ContentType.JSON).body(bad).post("/api/tokens")
          .then().statusCode(400).body("field", equalTo(field));
    }
    as(operator).contentType(ContentType.JSON).body(Map.of("name", "x", "role", "viewer", "admin", true))
        .post("/api/tokens").then().statusCode(400).body("field", equalTo("admin"));
  }

  @Test
  void swaggerUiAndOpenApiStayReachableInTestsAndTheDocumentListsTheTokenApi() {
    given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/api/tokens"))
        .body(not(containsString("sf_" + "x".repeat(43))));
  }

  private String name(String token) {
    return Api.rows(db, "SELECT name FROM api_tokens WHERE token_sha256 = '" + ApiToken.hash(token) + "'")
        .get(0).get("name").toString();
  }
}

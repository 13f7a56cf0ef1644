package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(RealServices.class)
class ModelApiTest {

  @Test
  void registerIsIdempotentForTheSameChecksumAndRefusesAnother() {
    String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> body = Map.of("card", Api.card(id, "smoothed", 0.5, 1), "sha256", Api.SHA);
    given().contentType(ContentType.JSON).body(body).post("/api/models")
        .then().statusCode(201).body("id", equalTo(id)).body("sigma", equalTo(0.5f)).body("numClasses", equalTo(10))
        .body("card.file", equalTo(id + ".bin"));
    given().contentType(ContentType.JSON).body(body).post("/api/models").then().statusCode(200);
    given().contentType(ContentType.JSON).body(Map.of("card", Api.card(id, "smoothed", 0.5, 1), "sha256", "cd".repeat(32)))
        .post("/api/models").then().statusCode(409).body("field", equalTo("card.id"));
    given().get("/api/models").then().statusCode(200).body("id", hasItem(id));
  }

  @Test
  void badCardsNameTheField() {
    Map<String, Object> noKind = Api.card("x-" + UUID.randomUUID().toString().substring(0, 6), "ibp", 0.1, 1);
    noKind.remove("kind");
    Map<String, Object> badEps = Api.card("y-" + UUID.randomUUID().toString().substring(0, 6), "ibp", 1.5, 1);
    Map<String, Object> slash = Api.card("a/b", "ibp", 0.1, 1);
    Map<String, Object> oneClass = new LinkedHashMap<>(Api.card("z-" + UUID.randomUUID().toString().substring(0, 6), "ibp", 0.1, 1));
    oneClass.put("classNames", java.util.List.of("only"));
    check(Map.of("card", noKind, "sha256", Api.SHA), "card.kind");
    check(Map.of("card", badEps, "sha256", Api.SHA), "card.kind.epsilon");
    check(Map.of("card", slash, "sha256", Api.SHA), "card.id");
    check(Map.of("card", oneClass, "sha256", Api.SHA), "card.classNames");
    check(Map.of("card", Api.card("w-1", "ibp", 0.1, 1), "sha256", "xyz"), "sha256");
    given().contentType(ContentType.JSON).body("{\"card\": ").post("/api/models")
        .then().statusCode(400).body("field", equalTo("$")).body("message", containsString("JSON"));
  }

  private static void check(Map<String, Object> body, String field) {
    given().contentType(ContentType.JSON).body(body).post("/api/models")
        .then().statusCode(400).body("status", equalTo(400)).body("field", equalTo(field));
  }
}

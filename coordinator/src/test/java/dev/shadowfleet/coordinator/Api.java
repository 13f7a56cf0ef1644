package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;

import io.agroal.api.AgroalDataSource;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small helpers over the REST API and the database for the tests. */
final class Api {
  static final String SHA = "ab".repeat(32);

  private Api() {}

  static Map<String, Object> card(String id, String type, double value, int channels) {
    Map<String, Object> kind = new LinkedHashMap<>();
    kind.put("type", type);
    kind.put(type.equals("smoothed") ? "sigma" : "epsilon", value);
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("id", id);
    card.put("format", "sequential");
    card.put("file", id + ".bin");
    card.put("inputShape", List.of(channels, 28, 28));
    card.put("classNames", List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"));
    card.put("kind", kind);
    return card;
  }

  /** Registers a fresh smoothed (σ 0.25) or IBP (ε 0.1) model and returns its id. */
  static String model(boolean ibp) {
    String id = (ibp ? "ibp-" : "rs-") + UUID.randomUUID().toString().substring(0, 8);
    given().contentType(ContentType.JSON)
        .body(Map.of("card", card(id, ibp ? "ibp" : "smoothed", ibp ? 0.1 : 0.25, 1), "sha256", SHA))
        .post("/api/models").then().statusCode(201);
    return id;
  }

  /** A valid sweep body over images [0, images) of fashion-mnist:test, all targets. */
  static Map<String, Object> sweep(int images, String... models) {
    Map<String, Object> body = new HashMap<>();
    body.put("dataset", "fashion-mnist:test");
    body.put("images", Map.of("from", 0, "to", images));
    body.put("models", List.of(models));
    body.put("targets", "all");
    body.put("preset", "quick");
    body.put("seed", 7);
    return body;
  }

  static String submit(Map<String, Object> body) {
    return given().contentType(ContentType.JSON).body(body).post("/api/sweeps")
        .then().statusCode(201).extract().path("id");
  }

  static long count(AgroalDataSource ds, String sql) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Map<String, Object>> rows(AgroalDataSource ds, String sql) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<Map<String, Object>> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          row.put(rs.getMetaData().getColumnName(i), v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : v);
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

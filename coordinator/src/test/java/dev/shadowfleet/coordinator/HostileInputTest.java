package dev.shadowfleet.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed and hostile requests (seeded) against every write endpoint and the reads:
 * each answer must be a 4xx with a JSON body ({@code status}, {@code message}; a 400 also names the
 * {@code field}), never a 5xx; a mutation that happens to be valid may succeed. Afterwards every sweep
 * in the database is whole (its job rows and progress row all there) and only the accepted sweeps were
 * added. Authentication is on, so bad tokens are part of the mix.
 */
@QuarkusTest
@TestProfile(AuthOn.class)
@WithTestResource(RealServices.class)
class HostileInputTest {
  private static final Logger LOG = Logger.getLogger(HostileInputTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final long SEED = 20_260_101L;

  @Inject AgroalDataSource db;

  @TestHTTPResource("/")
  URL base;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final Random random = new Random(SEED);
  private final Map<String, Tally> tallies = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();
  private String operator;
  private String researcher;
  private String model;
  private String sweepId;
  private int unsendable;
  private boolean refused;
  private static final HttpResponse<String> NOT_SENT = null;

  /** Requests, statuses and accepted requests of one category. */
  static final class Tally {
    int sent;
    int accepted;
    final Map<Integer, Integer> statuses = new TreeMap<>();
  }

  @Test
  void hostileRequestsGet4xxWithAReasonAndLeaveNoPartialSweep() throws Exception {
    operator = AuthOn.token(db, AuthOn.unique("fuzz-op"), "operator");
    researcher = AuthOn.token(db, AuthOn.unique("fuzz-res"), "researcher");
    model = "fz-" + UUID.randomUUID().toString().substring(0, 8);
    send("setup", "POST", "/api/models", operator, modelBody().toString(), true);
    sweepId = JSON.readTree(send("setup", "POST", "/api/sweeps", researcher, sweepBody().toString(), true)).get("id").asText();
    long sweeps0 = count("SELECT count(*) FROM sweeps");
    long jobs0 = count("SELECT count(*) FROM jobs");
    long progress0 = count("SELECT count(*) FROM sweep_progress");

    for (int i = 0; i < 700; i++) {
      mutate("sweep: field mutation", "/api/sweeps", researcher, sweepBody(), SWEEP_FIELDS);
    }
    for (int i = 0; i < 450; i++) {
      mutate("model: field mutation", "/api/models", operator, modelBody(), MODEL_FIELDS);
    }
    for (int i = 0; i < 200; i++) {
      mutate("token: field mutation", "/api/tokens", operator, tokenBody(), TOKEN_FIELDS);
    }
    for (int i = 0; i < 600; i++) {
      String[][] targets = {{"/api/sweeps", researcher, sweepBody().toString()},
          {"/api/models", operator, modelBody().toString()}, {"/api/tokens", operator, tokenBody().toString()}};
      String[] t = targets[random.nextInt(targets.length)];
      send("broken JSON", "POST", t[0], t[1], breakJson(t[2]), false);
    }
    for (int i = 0; i < 200; i++) {
      String[] paths = {"/api/sweeps", "/api/models", "/api/tokens"};
      send("not an object / nulls / nesting", "POST", paths[i % 3], i % 3 == 0 ? researcher : operator, wholeBody(i), false);
    }
    for (int i = 0; i < 300; i++) {
      ObjectNode b = sweepBody();
      b.set("dataset", F.textNode(traversal()));
      if (random.nextBoolean()) {
        b.put("datasetSize", 100);
      }
      send("dataset URI: traversal, foreign schemes", "POST", "/api/sweeps", researcher, b.toString(), false);
    }
    for (int i = 0; i < 150; i++) {
      send("millions of jobs", "POST", "/api/sweeps", researcher, millions(i).toString(), false);
    }
    for (int i = 0; i < 30; i++) {
      String[] paths = {"/api/sweeps", "/api/models", "/api/tokens"};
      send("oversized body (> 1 MiB)", "POST", paths[i % 3], i % 3 == 0 ? researcher : operator, oversized(i), false);
    }
    for (int i = 0; i < 400; i++) {
      badToken(i);
    }
    for (int i = 0; i < 150; i++) {
      protocol(i);
    }
    for (int i = 0; i < 800; i++) {
      read(i);
    }
    for (int i = 0; i < 150; i++) {
      String id = random.nextInt(4) == 0 ? sweepId : hostileText();
      send("cancel / revoke hostile ids", random.nextBoolean() ? "POST" : "DELETE",
          random.nextBoolean() ? "/api/sweeps/" + enc(id) + "/cancel" : "/api/tokens/" + enc(id),
          operator, null, false);
    }

    StringBuilder report = new StringBuilder("hostile input (seed " + SEED + "):\n");
    int total = 0;
    for (var e : tallies.entrySet()) {
      total += e.getValue().sent;
      report.append(String.format("  %-42s %5d sent, %4d accepted, statuses %s%n",
          e.getKey(), e.getValue().sent, e.getValue().accepted, e.getValue().statuses));
    }
    report.append("  total ").append(total).append(" (-1: connection closed by the server without an answer, after an")
        .append(" oversized body; ").append(unsendable).append(" more the HTTP client refused to send)");
    LOG.info(report);
    assertTrue(failures.isEmpty(), failures.size() + " bad answers, first: " + failures.subList(0, Math.min(15, failures.size())));

    long accepted = tallies.entrySet().stream().filter(e -> !e.getKey().equals("setup"))
        .mapToLong(e -> e.getValue().accepted).sum();
    assertTrue(total > 3000, "sent " + total);
    long newSweeps = count("SELECT count(*) FROM sweeps") - sweeps0;
    assertTrue(newSweeps <= accepted, newSweeps + " sweeps added, " + accepted + " requests accepted");
    assertEquals(newSweeps, count("SELECT count(*) FROM sweep_progress") - progress0);
    assertEquals(0, count("SELECT count(*) FROM sweeps s WHERE s.total_jobs <> (SELECT count(*) FROM jobs j WHERE j.sweep_id = s.id)"));
    assertEquals(0, count("SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM sweeps s WHERE s.id = j.sweep_id)"));
    assertEquals(count("SELECT COALESCE(sum(total_jobs), 0) FROM sweeps") - jobs0,
        count("SELECT count(*) FROM jobs") - jobs0);
  }

  // ---- bodies -----------------------------------------------------------------------------------

  private ObjectNode sweepBody() {
    ObjectNode b = F.objectNode();
    b.put("dataset", "fashion-mnist:test");
    ObjectNode images = b.putObject("images");
    images.put("from", 0);
    images.put("to", 2);
    b.putArray("models").add(model);
    b.putArray("targets").add(1).add(2);
    b.put("preset", "quick");
    b.putObject("overrides").put("steps", 3);
    ObjectNode s = b.putObject("smoothing");
    s.put("n0", 10).put("n", 100).put("alpha", 0.01).put("batchSize", 10).put("mode", "CERTIFY_ALL");
    b.putObject("ibp").put("epsilon", 0.1).put("method", "IBP").put("beta", 1.0);
    b.put("priority", 0);
    b.put("seed", 7);
    return b;
  }

  private ObjectNode modelBody() {
    ObjectNode card = JSON.valueToTree(Api.card(model == null ? "fz-x" : model, "smoothed", 0.25, 1));
    ObjectNode b = F.objectNode();
    b.set("card", card);
    b.put("sha256", Api.SHA);
    return b;
  }

  private ObjectNode tokenBody() {
    return F.objectNode().put("name", "fuzz").put("role", "viewer");
  }

  private static final List<String> SWEEP_FIELDS = List.of(
      "dataset", "datasetSize", "images", "images.from", "images.to", "images[0]", "models", "models[0]", "targets",
      "targets[0]", "preset", "overrides", "overrides.steps", "overrides.lambdaTv", "overrides.*", "smoothing",
      "smoothing.n0", "smoothing.n", "smoothing.alpha", "smoothing.batchSize", "smoothing.mode", "ibp",
      "ibp.epsilon", "ibp.method", "ibp.beta", "priority", "seed", "*");
  private static final List<String> MODEL_FIELDS = List.of(
      "card", "card.id", "card.kind", "card.kind.type", "card.kind.sigma", "card.inputShape", "card.inputShape[0]",
      "card.classNames", "card.classNames[0]", "card.file", "card.format", "card.*", "sha256", "*");
  private static final List<String> TOKEN_FIELDS = List.of("name", "role", "*");

  /** One field set to a hostile value, removed, or an unknown field added. */
  private void mutate(String category, String path, String token, ObjectNode body, List<String> fields) {
    String field = fields.get(random.nextInt(fields.size()));
    String[] parts = field.split("\\.");
    JsonNode parent = body;
    for (int i = 0; i < parts.length - 1 && parent != null; i++) {
      parent = parent.get(parts[i]);
    }
    String last = parts[parts.length - 1];
    if (last.equals("*") && parent instanceof ObjectNode o) {
      o.set(random.nextBoolean() ? hostileText() : "x" + random.nextInt(100), hostileValue());
    } else if (last.endsWith("[0]")) {
      JsonNode arr = parent == null ? null : parent.get(last.substring(0, last.length() - 3));
      if (arr instanceof ArrayNode a && a.size() > 0) {
        a.set(0, hostileValue());
      } else if (arr instanceof ObjectNode o) {
        o.set("0", hostileValue());
      }
    } else if (parent instanceof ObjectNode o) {
      if (random.nextInt(8) == 0) {
        o.remove(last);
      } else {
        o.set(last, hostileValue());
      }
    }
    send(category, "POST", path, token, body.toString(), false);
  }

  private JsonNode hostileValue() {
    return switch (random.nextInt(22)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(random.nextBoolean());
      case 2 -> F.numberNode(-1);
      case 3 -> F.numberNode(0);
      case 4 -> F.numberNode(new BigInteger("9223372036854775808"));
      case 5 -> F.numberNode(new BigInteger("-9223372036854775809"));
      case 6 -> F.numberNode(new BigDecimal("1e400"));
      case 7 -> F.numberNode(-1e308);
      case 8 -> F.numberNode(2147483648L);
      case 9 -> F.numberNode(4.9e-324);
      case 10 -> F.numberNode(0.5);
      case 11 -> F.numberNode(random.nextInt(2_000_000_000) - 1_000_000_000);
      case 12 -> F.arrayNode();
      case 13 -> F.objectNode();
      case 14 -> F.arrayNode().add(F.arrayNode().add(F.objectNode().put("a", hostileText())));
      case 15 -> F.objectNode().put("from", 5).put("to", -5);
      case 16 -> F.numberNode(new BigDecimal("123456789012345678901234567890.5"));
      case 17 -> {
        ArrayNode a = F.arrayNode();
        int n = random.nextInt(3000);
        for (int i = 0; i < n; i++) {
          a.add(random.nextInt(20_000) - 5);
        }
        yield a;
      }
      default -> F.textNode(hostileText());
    };
  }

  private static final String[] TEXTS = {
    "", " ", "all", "\u0000", "a\u0000b", "\u202e\u0644\u0627", "😀😀😀", "\ud800", "\t\n\r", "\u001b[31mred",
    "../../../etc/passwd", "'; DROP TABLE sweeps; --", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
    "%00%2e%2e%2f", "quick\u0000", "fashion-mnist:test", "NaN", "Infinity", "-0", "1e999", "null", "ＡＢＣ",
    "e\u0301", "\uFEFF", "\u0085", "folder:/data/val"
  };

  private String hostileText() {
    int k = random.nextInt(TEXTS.length + 3);
    if (k < TEXTS.length) {
      return TEXTS[k];
    }
    if (k == TEXTS.length) {
      return "x".repeat(1 + random.nextInt(200_000));
    }
    StringBuilder sb = new StringBuilder();
    int n = 1 + random.nextInt(40);
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x20) : random.nextInt(0x3000));
    }
    return sb.toString();
  }

  private String breakJson(String json) {
    StringBuilder s = new StringBuilder(json);
    switch (random.nextInt(6)) {
      case 0 -> s.setLength(random.nextInt(Math.max(1, s.length() - 1)));
      case 1 -> s.insert(random.nextInt(s.length()), "{[\",:}]\\'".charAt(random.nextInt(9)));
      case 2 -> s.deleteCharAt(random.nextInt(s.length()));
      case 3 -> s.append(random.nextBoolean() ? "}" : ",{}");
      case 4 -> s.replace(0, s.length(), s.toString().replace('"', '\''));
      default -> s.insert(random.nextInt(s.length()), "\u0000\u0001");
    }
    return s.toString();
  }

  private String wholeBody(int i) {
    return switch (i % 10) {
      case 0 -> "null";
      case 1 -> "[]";
      case 2 -> "\"sweep\"";
      case 3 -> "123";
      case 4 -> "";
      case 5 -> "[".repeat(5000) + "]".repeat(5000);
      case 6 -> "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);
      case 7 -> {
        ObjectNode b = i % 3 == 0 ? sweepBody() : i % 3 == 1 ? modelBody() : tokenBody();
        b.fieldNames().forEachRemaining(f -> { });
        List<String> names = new ArrayList<>();
        b.fieldNames().forEachRemaining(names::add);
        names.forEach(n -> b.set(n, F.nullNode()));
        yield b.toString();
      }
      case 8 -> "{}";
      default -> "{\"dataset\": \"fashion-mnist:test\", \"dataset\": 5}";
    };
  }

  private String traversal() {
    String[] uris = {
      "folder:../../etc", "folder:/data/../../etc/shadow", "folder:/data/./val", "folder:data/val",
      "folder:~/images", "folder:/data/val/..", "folder://host/share", "folder:/data/val\u0000.jpg",
      "folder:/data/val?classes=../../etc/passwd", "folder:/data/val?classes=/etc/../etc/passwd",
      "cifar10:../../batch.bin", "cifar10:/data/../etc/passwd", "fashion-mnist:test:../../etc",
      "fashion-mnist:test:/data/../../etc", "fashion-mnist:../x", "fashion-mnist:bogus", "file:/etc/passwd",
      "http://evil.example/data", "jar:file:/x!/", "FOLDER:/data/val", "folder:", "folder:/data/\u001b[2J",
      "folder:" + "/a".repeat(5000), "folder:C:\\Windows\\System32", "folder:/data/val%2f..%2f..",
      "fashion-mnist-rgb:train:/data/\ud800"
    };
    return uris[random.nextInt(uris.length)];
  }

  private ObjectNode millions(int i) {
    ObjectNode b = sweepBody();
    switch (i % 5) {
      case 0 -> {
        b.put("dataset", "folder:/data/imagenet/val");
        b.put("datasetSize", 2_000_000_000L);
        b.putObject("images").put("from", 0).put("to", 1_000_000 + random.nextInt(1_000_000_000));
      }
      case 1 -> {
        b.put("dataset", "folder:/data/imagenet/val");
        b.put("datasetSize", Integer.MAX_VALUE);
        b.putObject("images").put("from", 0).put("to", Integer.MAX_VALUE);
        b.put("targets", "all");
      }
      case 2 -> {
        b.put("dataset", "fashion-mnist:train");
        b.putObject("images").put("from", 0).put("to", 60_000);
        ArrayNode ms = b.putArray("models");
        for (int k = 0; k < 40; k++) {
          ms.add(model);
        }
      }
      case 3 -> {
        ArrayNode list = b.putArray("images");
        for (int k = 0; k < 100_001; k++) {
          list.add(k % 10_000);
        }
      }
      default -> {
        b.put("dataset", "folder:/data/imagenet/val");
        b.put("datasetSize", 1L << 40);
        b.putObject("images").put("from", 0).put("to", 1L << 35);
      }
    }
    return b;
  }

  private String oversized(int i) {
    int size = (1 << 20) + 1 + random.nextInt(1 << 20);
    return switch (i % 3) {
      case 0 -> "{\"dataset\": \"" + "a".repeat(size) + "\"}";
      case 1 -> "[" + "1,".repeat(size / 2) + "1]";
      default -> " ".repeat(size) + "{}";
    };
  }

  private void badToken(int i) {
    String[] headers = {
      "Bearer ", "Bearer sf_", "Bearer sf_" + "A".repeat(43), "Bearer sf_" + "A".repeat(44), "bearer  sf_abc",
      "Basic " + "YWxpY2U6c2VjcmV0", "Token " + researcher, researcher, "Bearer " + researcher + "x",
      "Bearer " + researcher.substring(0, researcher.length() - 1) + (researcher.endsWith("A") ? "B" : "A"),
      "Bearer " + researcher.toUpperCase(), "Bearer \u0000", "Bearer " + "x".repeat(8000),
      "Bearer sf_" + "é".repeat(43), "Bearer " + dev.shadowfleet.common.auth.ApiToken.generate()
    };
    String h = headers[i % headers.length];
    String[][] routes = {{"POST", "/api/sweeps"}, {"POST", "/api/models"}, {"GET", "/api/sweeps"},
        {"POST", "/api/tokens"}, {"POST", "/api/sweeps/" + sweepId + "/cancel"}, {"GET", "/api/tokens"}};
    String[] r = routes[random.nextInt(routes.length)];
    String body = r[0].equals("POST") ? (r[1].equals("/api/models") ? modelBody() : r[1].equals("/api/tokens") ? tokenBody() : sweepBody()).toString() : null;
    int status = exchange("bad tokens", r[0], r[1], h, body);
    if (status != 401 && status != -1) {
      failures.add("bad token `" + abbreviate(h) + "` on " + r[0] + " " + r[1] + " → " + status + " (expected 401)");
    }
  }

  private void protocol(int i) {
    switch (i % 6) {
      case 0 -> sendRaw("wrong method / media type", "PUT", "/api/sweeps", researcher, "{}", "application/json");
      case 1 -> sendRaw("wrong method / media type", "POST", "/api/sweeps", researcher, sweepBody().toString(), "text/plain");
      case 2 -> sendRaw("wrong method / media type", "POST", "/api/models", operator, "<card/>", "application/xml");
      case 3 -> sendRaw("wrong method / media type", "DELETE", "/api/sweeps/" + sweepId, operator, null, null);
      case 4 -> sendRaw("wrong method / media type", "POST", "/api/sweeps", researcher, sweepBody().toString(), "application/json; charset=ebcdic");
      default -> sendRaw("wrong method / media type", "PATCH", "/api/models", operator, "{}", "application/json");
    }
  }

  private void read(int i) {
    String s = random.nextInt(3) == 0 ? sweepId : hostileText();
    String m = random.nextBoolean() ? model : hostileText();
    String q = "?model=" + enc(random.nextBoolean() ? model : hostileText()) + "&success=" + enc(hostileText())
        + "&label=" + enc(hostileText()) + "&sort=" + enc(random.nextBoolean() ? "-attackRadius" : hostileText())
        + "&page=" + enc(random.nextBoolean() ? "" + (random.nextInt(5) - 2) : hostileText())
        + "&size=" + enc(random.nextBoolean() ? "" + (random.nextInt(1000) - 100) : hostileText());
    String[] paths = {
      "/api/sweeps/" + enc(s), "/api/sweeps/" + enc(s) + "/outcomes" + q, "/api/sweeps/" + enc(s) + "/summary",
      "/api/sweeps/" + enc(s) + "/images/" + enc(m) + "/" + enc(random.nextBoolean() ? "0" : hostileText()),
      "/api/sweeps/" + enc(s) + "/images/" + enc(m) + "/0/" + enc(hostileText()) + ".png?target=" + enc(hostileText()),
      "/api/sweeps/" + enc(s) + "/outcomes.csv" + q, "/api/jobs/" + enc(s) + "/" + enc(m) + "/0/1",
      "/api/sweeps" + q, "/api/models?x=" + enc(hostileText())
    };
    String token = random.nextBoolean() ? null : researcher;
    send("reads: hostile ids and query parameters", "GET", paths[i % paths.length], token, null, false);
  }

  // ---- sending and checking ---------------------------------------------------------------------

  /** Sends and checks the answer; returns its body. {@code mustSucceed}: a 2xx is required (set-up). */
  private String send(String category, String method, String path, String token, String body, boolean mustSucceed) {
    HttpResponse<String> r = call(method, path, token == null ? null : "Bearer " + token, body, "application/json");
    if (!answered(category, method, path, body, r)) {
      return "";
    }
    if (mustSucceed && r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + " → " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  private void sendRaw(String category, String method, String path, String token, String body, String type) {
    HttpResponse<String> r = call(method, path, "Bearer " + token, body, type);
    answered(category, method, path, body, r);
  }

  private int exchange(String category, String method, String path, String header, String body) {
    HttpResponse<String> r = call(method, path, header, body, "application/json");
    if (!answered(category, method, path, body, r)) {
      return -1;
    }
    return r.statusCode();
  }

  /**
   * Checks an answer. With none ({@code r == null}) returns false: a request that was sent but got no
   * answer counts as status -1; one the HTTP client refused to send ({@link #call} set {@code refused})
   * is not counted here.
   */
  private boolean answered(String category, String method, String path, String body, HttpResponse<String> r) {
    Tally t = tallies.computeIfAbsent(category, k -> new Tally());
    if (r == null) {
      if (!refused) {
        t.sent++;
        t.statuses.merge(-1, 1, Integer::sum);
      }
      refused = false;
      return false;
    }
    check(category, method, path, body, r);
    return true;
  }

  private void check(String category, String method, String path, String body, HttpResponse<String> r) {
    Tally t = tallies.computeIfAbsent(category, k -> new Tally());
    t.sent++;
    int status = r.statusCode();
    t.statuses.merge(status, 1, Integer::sum);
    if (status / 100 == 2) {
      t.accepted++;
      return;
    }
    String what = category + ": " + method + " " + abbreviate(path) + " " + abbreviate(body) + " → " + status;
    if (status < 400 || status >= 500) {
      failures.add(what + " " + abbreviate(r.body()));
      return;
    }
    try {
      JsonNode e = JSON.readTree(r.body());
      boolean ok = e != null && e.path("status").asInt() == status && e.hasNonNull("message") && !e.get("message").asText().isBlank()
          && (status != 400 || e.hasNonNull("field"));
      if (!ok) {
        failures.add(what + " without {status, field, message}: " + abbreviate(r.body()));
      }
    } catch (Exception e) {
      failures.add(what + " with a body that is not JSON: " + abbreviate(r.body()));
    }
  }

  /** The answer, or null when the server closed the connection on an oversized body without one. */
  private HttpResponse<String> call(String method, String path, String authorization, String body, String type) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
          .timeout(Duration.ofSeconds(60))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      if (type != null && body != null) {
        b.header("Content-Type", type);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IllegalArgumentException e) {
      // a header value HttpClient itself refuses to send (NUL, non-ASCII): nothing reached the server
      unsendable++;
      refused = true;
      return NOT_SENT;
    } catch (java.io.IOException e) {
      if (body != null && body.length() > (1 << 20)) {
        return null;
      }
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private long count(String sql) {
    return Api.count(db, sql);
  }

  /** URL-encoded, cut to 500 characters (a request line stays below the server's 4 KiB limit). */
  private static String enc(String s) {
    return URLEncoder.encode(s.length() > 500 ? s.substring(0, 500) : s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 160 ? t.substring(0, 160) + "…(" + s.length() + ")" : t;
  }
}

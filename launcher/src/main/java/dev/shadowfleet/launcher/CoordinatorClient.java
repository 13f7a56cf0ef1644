package dev.shadowfleet.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** The few calls of the coordinator's REST API the launcher makes (JSON over HTTP). */
public final class CoordinatorClient {
  /** A 4xx/5xx answer, with the coordinator's {@code message} (and the field it names). */
  public static final class ApiError extends RuntimeException {
    ApiError(String message) {
      super(message);
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public CoordinatorClient(String baseUrl) {
    this(baseUrl, null);
  }

  /** A client that sends {@code Authorization: Bearer token} (null: none; reads only). */
  public CoordinatorClient(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /**
   * Waits until the readiness check ({@code /q/health/ready}, which covers Kafka and the database)
   * answers 200, failing early with the end of its log when {@code process} exits.
   */
  public void awaitReady(ChildProcess process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException(
            "the coordinator exited with code " + process.exitCode() + " while starting; last lines of "
                + process.logFile() + ":\n" + process.logTail(30));
      }
      try {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/q/health/ready")).GET(), 3);
        if (r.statusCode() == 200) {
          return;
        }
        last = "HTTP " + r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      sleep(1000);
    }
    throw new IllegalStateException(
        "the coordinator at " + baseUrl + " was not ready within " + timeout.toSeconds() + " s ("
            + last + ")" + (process == null ? "" : "; last lines of " + process.logFile() + ":\n"
            + process.logTail(30)));
  }

  /**
   * Registers every model card {@code <id>.json} of {@code dir} whose file is present, after checking
   * the file's SHA-256 against the card (registering the same card twice is harmless).
   *
   * @return the registered model ids
   */
  public List<String> registerModels(Path dir) throws IOException {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return ids;
    }
    List<Path> cards;
    try (Stream<Path> s = Files.list(dir)) {
      cards = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path cardFile : cards) {
      JsonNode card = JSON.readTree(cardFile.toFile());
      if (!card.hasNonNull("id") || !card.hasNonNull("file") || !card.hasNonNull("sha256")) {
        continue; // not a model card
      }
      Path file = dir.resolve(card.get("file").asText());
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException("model " + card.get("id").asText() + ": file " + file + " missing");
      }
      String sha = sha256(file);
      if (!sha.equalsIgnoreCase(card.get("sha256").asText())) {
        throw new IllegalStateException(
            "model " + card.get("id").asText() + ": " + file + " has SHA-256 " + sha
                + ", its card says " + card.get("sha256").asText());
      }
      ObjectNode body = JSON.createObjectNode();
      body.set("card", card);
      body.put("sha256", sha);
      post("/api/models", body);
      ids.add(card.get("id").asText());
    }
    return ids;
  }

  /** True when {@code GET path} answers 2xx (e.g. whether a dashboard is served at {@code /}). */
  public boolean serves(String path) {
    try {
      int code = send(HttpRequest.newBuilder(uri(path)).GET(), 5).statusCode();
      return code >= 200 && code < 300;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code POST /api/sweeps}: the stored sweep (id, job count, estimate). */
  public JsonNode submitSweep(JsonNode request) throws IOException {
    return post("/api/sweeps", request);
  }

  /** {@code GET /api/sweeps/{id}}: state and progress. */
  public JsonNode sweep(String id) throws IOException {
    return get("/api/sweeps/" + id);
  }

  /** Every best-per-image outcome of a sweep ({@code GET /api/sweeps/{id}/outcomes}, all pages). */
  public List<JsonNode> outcomes(String sweepId) throws IOException {
    List<JsonNode> all = new ArrayList<>();
    for (int page = 0; ; page++) {
      JsonNode p = get("/api/sweeps/" + sweepId + "/outcomes?size=500&page=" + page);
      JsonNode items = p.has("items") ? p.get("items") : p.get("content");
      if (items == null || !items.isArray() || items.isEmpty()) {
        return all;
      }
      items.forEach(all::add);
      if (items.size() < 500) {
        return all;
      }
    }
  }

  JsonNode get(String path) throws IOException {
    return json(send(HttpRequest.newBuilder(uri(path)).GET(), 30), "GET " + path);
  }

  JsonNode post(String path, JsonNode body) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    return json(send(b, 120), "POST " + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, int timeoutSeconds) throws IOException {
    try {
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      return http.send(
          request.timeout(Duration.ofSeconds(timeoutSeconds)).header("Accept", "application/json").build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static JsonNode json(HttpResponse<String> r, String what) throws IOException {
    if (r.statusCode() >= 400) {
      String message = r.body();
      try {
        JsonNode err = JSON.readTree(r.body());
        if (err.hasNonNull("message")) {
          message = err.get("message").asText();
        }
      } catch (IOException e) {
        // not JSON: keep the body
      }
      throw new ApiError(what + " → HTTP " + r.statusCode() + ": " + message);
    }
    return JSON.readTree(r.body());
  }

  private URI uri(String path) {
    return URI.create(baseUrl + path);
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file),
        MessageDigest.getInstance("SHA-256"))) {
      DigestInputStream d = (DigestInputStream) in;
      d.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(d.getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}

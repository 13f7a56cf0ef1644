package dev.shadowfleet.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A whole local stack for fault injection, every part a real process this test can kill and restart:
 * a Kafka broker (child JVM, fixed ports so clients find it again), PostgreSQL (fixed port), the
 * coordinator (its Quarkus fast-jar) and worker processes ({@code shadowfleet worker} on the tiny
 * fixture models). Short Kafka sessions so a killed process's partitions move within seconds.
 */
final class FaultStack implements AutoCloseable {
  /** The tiny IBP fixture model: a job takes milliseconds of compute. */
  static final String MODEL = "tiny-seq";

  /** Session timeout of every consumer group member (workers and the coordinator's ingestion). */
  static final int SESSION_MS = 6_000;

  private final Path dir;
  private final Path repo;
  private final int kafkaPort = Ports.free();
  private final int controllerPort = Ports.free();
  private final int postgresPort = Ports.free();
  private final int httpPort = Ports.free();
  private final List<ChildProcess> workers = new ArrayList<>();
  private final Map<String, String> workerEnv = new LinkedHashMap<>();
  private KafkaBroker kafka;
  private Postgres postgres;
  private ChildProcess coordinator;
  private int workerCount;
  private String token;

  private FaultStack(Path dir, Path repo) {
    this.dir = dir;
    this.repo = repo;
  }

  /** The checkout (surefire runs in launcher/). */
  static Path repo() {
    return Path.of("").toAbsolutePath().getParent();
  }

  /** True when the coordinator's fast-jar has been built (a {@code -pl launcher} build may lack it). */
  static boolean coordinatorBuilt() {
    return Files.isRegularFile(new Launch(repo(), "", null).coordinatorJar());
  }

  /** Starts Kafka, PostgreSQL, the coordinator (models registered) and {@code workers} workers. */
  static FaultStack start(Path dir, int workers) throws IOException {
    FaultStack s = new FaultStack(dir, repo());
    try {
      s.kafka = KafkaBroker.create(KafkaBroker.Config.defaults(dir.resolve("kafka"))
          .withPorts(s.kafkaPort, s.controllerPort)
          .withOverrides(Map.of("group.min.session.timeout.ms", "1000")));
      s.kafka.start();
      s.kafka.createTopics(FleetTopics.plan(4));
      s.postgres = Postgres.start(dir.resolve("postgres"), s.postgresPort);
      s.startCoordinator();
      // writes need a token (access control is on, as in production); written straight into the table
      s.token = new TokenStore(s.postgres.credentials()).create("fault-suite", "operator", "fault-suite").token();
      s.api().registerModels(s.modelsDir());
      s.startWorkers(workers);
      return s;
    } catch (RuntimeException | IOException e) {
      s.close();
      throw e;
    }
  }

  Path modelsDir() {
    return repo.resolve("gpu-worker/src/test/resources/fixtures/models");
  }

  CoordinatorClient api() {
    return new CoordinatorClient("http://127.0.0.1:" + httpPort, token);
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  Connection db() throws SQLException {
    Postgres.Credentials c = postgres.credentials();
    return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
  }

  // --- coordinator -----------------------------------------------------------------------------------

  /** Starts the coordinator (relay pages of 20 jobs, so a fan-out takes several cursor steps). */
  void startCoordinator() {
    List<String> cmd = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-Xms64m", "-Xmx512m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
        "-Dshadowfleet.relay.page-size=20",
        "-Dshadowfleet.kafka.client.\"session.timeout.ms\"=" + SESSION_MS,
        "-Dshadowfleet.kafka.client.\"heartbeat.interval.ms\"=" + SESSION_MS / 3,
        "-jar", new Launch(repo, "", null).coordinatorJar().toString()));
    LocalStack.Infra infra = new LocalStack.Infra(kafka.bootstrapServers(), postgres.credentials());
    coordinator = ChildProcess.start("coordinator", cmd, CoordinatorSettings.env(infra, "127.0.0.1", httpPort),
        dir, dir.resolve("logs/coordinator.log"));
    api().awaitReady(coordinator, Duration.ofSeconds(180));
  }

  /** SIGKILL, as a crash or an OOM kill would. */
  void killCoordinator() {
    coordinator.kill();
  }

  long coordinatorPid() {
    return coordinator.pid();
  }

  // --- workers ---------------------------------------------------------------------------------------

  /** Settings added to the environment of workers started from now on. */
  void workerEnv(Map<String, String> env) {
    workerEnv.clear();
    workerEnv.putAll(env);
  }

  void startWorkers(int count) {
    for (int i = 0; i < count; i++) {
      startWorker();
    }
  }

  ChildProcess startWorker() {
    int index = ++workerCount;
    String name = "worker-" + index;
    Map<String, String> env = new LinkedHashMap<>(
        WorkerSettings.env(kafka.bootstrapServers(), modelsDir(), "fault-" + name, 1));
    env.put("SHADOWFLEET_SESSION_TIMEOUT_MS", Integer.toString(SESSION_MS));
    env.put("SHADOWFLEET_SHUTDOWN_DEADLINE_S", "5");
    env.putAll(workerEnv);
    ChildProcess w = ChildProcess.java(name,
        List.of("-Xms64m", "-Xmx768m", "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-Djava.awt.headless=true"),
        System.getProperty("java.class.path"), WorkerSettings.MAIN, WorkerSettings.args(), env, dir,
        dir.resolve("logs/" + name + ".log"));
    workers.add(w);
    return w;
  }

  /** The workers alive now. */
  List<ChildProcess> liveWorkers() {
    return workers.stream().filter(ChildProcess::isAlive).toList();
  }

  /** Stops every worker (SIGTERM, then SIGKILL). */
  void stopWorkers() {
    workers.forEach(w -> w.stop(Duration.ofSeconds(10)));
    workers.clear();
  }

  // --- Kafka and PostgreSQL ----------------------------------------------------------------------------

  void killKafka() {
    kafka.kill();
  }

  /** Starts the broker again on the same ports and data. */
  void startKafka() {
    kafka.start();
  }

  /** Fast shutdown: sessions are ended, as in a failover or a restart for maintenance. */
  void stopPostgres() {
    postgres.close();
  }

  void startPostgres() {
    postgres = Postgres.start(dir.resolve("postgres"), postgresPort);
  }

  // --- sweeps ------------------------------------------------------------------------------------------

  /**
   * Submits {@code images} Fashion-MNIST test images × every target on the tiny model, quick preset
   * with {@code steps} attack steps.
   *
   * @return the sweep id and its job count
   */
  Sweep submit(int firstImage, int images, int steps) throws IOException {
    ObjectNode r = CoordinatorClient.JSON.createObjectNode();
    r.put("dataset", "fashion-mnist:test");
    r.putObject("images").put("from", firstImage).put("to", firstImage + images);
    r.putArray("models").add(MODEL);
    r.put("targets", "all");
    r.put("preset", "quick");
    r.putObject("overrides").put("steps", steps);
    JsonNode s = api().submitSweep(r);
    return new Sweep(s.get("id").asText(), s.get("jobs").asLong());
  }

  record Sweep(String id, long jobs) {}

  /** Jobs of {@code sweep} in a final state, from the database (-1 while it cannot be read). */
  long finished(String sweep) {
    try (Connection c = db(); var ps = c.prepareStatement(
        "SELECT done + skipped + skipped_label + failed + cancelled FROM sweep_progress WHERE sweep_id = ?")) {
      ps.setString(1, sweep);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      return -1;
    }
  }

  /** Jobs of {@code sweep} the relay has published. */
  long published(String sweep) {
    try (Connection c = db(); var ps = c.prepareStatement("SELECT published_jobs FROM sweeps WHERE id = ?")) {
      ps.setString(1, sweep);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      return -1;
    }
  }

  /** Waits until {@code condition} holds, failing with {@code what} and the stack's state after {@code timeout}. */
  void await(Duration timeout, BooleanSupplier condition, String what) {
    await(timeout, condition, what, 200);
  }

  /** {@link #await(Duration, BooleanSupplier, String)} checking every {@code periodMillis}. */
  void await(Duration timeout, BooleanSupplier condition, String what, long periodMillis) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
            + "; coordinator log:\n" + (coordinator == null ? "" : coordinator.logTail(15)));
      }
      sleep(periodMillis);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills everything this stack started (nothing is kept: the directory is a test's temporary one). */
  @Override
  public void close() {
    workers.forEach(ChildProcess::kill);
    if (coordinator != null) {
      coordinator.kill();
    }
    if (kafka != null) {
      kafka.kill();
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (RuntimeException e) {
        Postgres.stopOrphan(dir.resolve("postgres"));
      }
    }
  }
}

package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The processes of one local stack on one data directory — Kafka, PostgreSQL, the coordinator, workers —
 * started in that order and stopped in the reverse one by {@link #close()} (also from the JVM's shutdown
 * hook, so Ctrl-C leaves nothing running). Holds the data directory's lock while open.
 */
public final class LocalStack implements AutoCloseable {
  /** Stop deadlines: SIGTERM, then SIGKILL after these. Workers get time to hand back their job. */
  static final Duration WORKER_GRACE = Duration.ofSeconds(30);

  static final Duration COORDINATOR_GRACE = Duration.ofSeconds(20);
  static final Duration KAFKA_GRACE = Duration.ofSeconds(20);

  /** Where a started Kafka + PostgreSQL can be reached. */
  public record Infra(String bootstrapServers, Postgres.Credentials database) {}

  private final DataDir dir;
  private final Launch launch;
  private final PrintWriter out;
  private final DataDirLock lock;
  private final PortBook ports;
  private final StackState state = new StackState();
  private final List<ChildProcess> workers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private KafkaBroker kafka;
  private Postgres postgres;
  private ChildProcess coordinator;
  private Thread shutdownHook;

  private LocalStack(DataDir dir, Launch launch, PrintWriter out, DataDirLock lock) {
    this.dir = dir;
    this.launch = launch;
    this.out = out;
    this.lock = lock;
    this.ports = new PortBook(dir.ports());
  }

  /**
   * Locks {@code dir} (refusing when another launcher holds it), cleans up what a launcher that was killed
   * left running there, and registers the shutdown hook.
   *
   * @throws DataDirLock.HeldException when another launcher runs on {@code dir}
   */
  public static LocalStack open(DataDir dir, Launch launch, PrintWriter out) {
    DataDirLock lock = DataDirLock.acquire(dir);
    LocalStack stack = new LocalStack(dir, launch, out, lock);
    try {
      Leftovers.clean(dir, out);
      stack.state.put("launcher.pid", ProcessHandle.current().pid());
      stack.state.put("started", Instant.now());
      stack.save();
      stack.shutdownHook = new Thread(stack::close, "shadowfleet-shutdown");
      Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
      return stack;
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** Starts Kafka (creating the topics for {@code maxWorkers}) and PostgreSQL. */
  public Infra startInfra(int maxWorkers, int kafkaPort, int postgresPort) {
    out.println("Starting Kafka (KRaft, one node) in " + dir.kafka() + " ...");
    KafkaBroker.Config config =
        KafkaBroker.Config.defaults(dir.kafka())
            .withPorts(ports.port("kafka", kafkaPort, 0), ports.port("kafka.controller", 0, 0));
    kafka = KafkaBroker.create(config);
    kafka.start();
    kafka.createTopics(FleetTopics.plan(maxWorkers));
    state.put("kafka.bootstrap", kafka.bootstrapServers()).put("kafka.pid", kafka.pid());
    save();
    out.println("  Kafka      " + kafka.bootstrapServers() + "  (pid " + kafka.pid() + ")");

    out.println("Starting PostgreSQL in " + dir.postgres() + " ...");
    postgres = Postgres.start(dir.postgres(), ports.port("postgres", postgresPort, 0));
    Postgres.Credentials db = postgres.credentials();
    state.put("postgres.jdbc-url", db.jdbcUrl()).put("postgres.user", db.user());
    postgres.pid().ifPresent(pid -> state.put("postgres.pid", pid));
    save();
    out.println("  PostgreSQL " + db.jdbcUrl() + "  user " + db.user() + "  (pid "
        + postgres.pid().map(String::valueOf).orElse("?") + ")");
    return new Infra(kafka.bootstrapServers(), db);
  }

  /**
   * Starts the coordinator against {@code infra} and waits until it is ready.
   *
   * @return its base URL, e.g. {@code http://127.0.0.1:8080}
   */
  public String startCoordinator(Infra infra, String httpHost, int httpPort) {
    Path jar = launch.coordinatorJar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "coordinator not built: " + jar + " is missing (./shadowfleet-local builds it; or run"
              + " ./mvnw -B -q package -DskipTests -pl coordinator -am)");
    }
    int port = ports.port("coordinator.http", httpPort, 8080);
    Map<String, String> env = CoordinatorSettings.env(infra, httpHost, port);
    coordinator =
        ChildProcess.start(
            "coordinator",
            CoordinatorSettings.command(jar),
            env,
            dir.root(),
            dir.logs().resolve("coordinator.log"));
    String url = "http://" + ("0.0.0.0".equals(httpHost) ? "127.0.0.1" : httpHost) + ":" + port;
    state.put("coordinator.url", url).put("coordinator.pid", coordinator.pid());
    save();
    out.println("Starting the coordinator (pid " + coordinator.pid() + ", log "
        + coordinator.logFile() + ") ...");
    new CoordinatorClient(url).awaitReady(coordinator, Duration.ofSeconds(240));
    out.println("  Coordinator " + url);
    return url;
  }

  /**
   * The operator API token of this stack ({@code operator.token} in the data directory, 0600): the kept
   * one while the database still accepts it, else a new one written straight into the token table.
   * Call after {@link #startCoordinator} (its migrations create the table).
   */
  public String operatorToken(Infra infra) {
    return new TokenStore(infra.database()).operatorToken(dir.operatorToken(), "local-operator");
  }

  /** Starts {@code count} worker processes against {@code bootstrapServers}. */
  public void startWorkers(int count, String bootstrapServers) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / count);
    for (int i = 1; i <= count; i++) {
      String name = WorkerSettings.processName(i);
      String id = WorkerSettings.workerId(i);
      ChildProcess w =
          ChildProcess.java(
              name,
              WorkerSettings.jvmOptions(),
              launch.classpath(),
              WorkerSettings.MAIN,
              WorkerSettings.args(),
              WorkerSettings.env(bootstrapServers, launch.modelsDir(), id, threads),
              dir.root(),
              dir.logs().resolve(name + ".log"));
      workers.add(w);
    }
    state.put("workers.pids", String.join(",", workers.stream().map(w -> "" + w.pid()).toList()));
    save();
    out.println("Started " + count + " worker" + (count == 1 ? "" : "s") + " ("
        + threads + " compute thread" + (threads == 1 ? "" : "s") + " each, logs "
        + dir.logs().resolve("worker-*.log") + ")");
  }

  /**
   * A description of the first started process that has exited by itself (with the end of its log), if
   * any: a healthy stack has none.
   */
  public java.util.Optional<String> failure() {
    List<ChildProcess> all = new ArrayList<>(workers);
    if (coordinator != null) {
      all.add(coordinator);
    }
    for (ChildProcess c : all) {
      if (!c.isAlive()) {
        return java.util.Optional.of(c.name() + " exited with code " + c.exitCode() + "; last lines of "
            + c.logFile() + ":\n" + c.logTail(20));
      }
    }
    if (kafka != null && !kafka.isRunning()) {
      return java.util.Optional.of("Kafka exited; last lines of " + kafka.logFile() + ":\n"
          + ChildProcess.tail(kafka.logFile(), 20));
    }
    return java.util.Optional.empty();
  }

  /** True once {@link #close()} has begun (Ctrl-C, or the end of a run). */
  public boolean closing() {
    return closed.get();
  }

  public DataDir dataDir() {
    return dir;
  }

  /**
   * Stops everything this stack started, in reverse order: workers, coordinator (SIGTERM, SIGKILL after
   * the deadline), Kafka, PostgreSQL (fast shutdown); then removes the state file and releases the lock.
   * Runs once; later calls return at once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down
      }
    }
    out.println("Stopping the local stack ...");
    List<Thread> stopping = new ArrayList<>();
    for (ChildProcess w : workers) {
      stopping.add(new Thread(() -> w.stop(WORKER_GRACE), "stop-" + w.name()));
    }
    stopping.forEach(Thread::start);
    joinAll(stopping);
    if (coordinator != null) {
      coordinator.stop(COORDINATOR_GRACE);
    }
    if (kafka != null) {
      kafka.stop(KAFKA_GRACE);
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (RuntimeException e) {
        out.println("  PostgreSQL did not stop cleanly: " + e.getMessage());
        Postgres.stopOrphan(dir.postgres());
      }
    }
    try {
      Files.deleteIfExists(dir.stateFile());
    } catch (java.io.IOException e) {
      out.println("  cannot remove " + dir.stateFile() + ": " + e.getMessage());
    }
    lock.close();
    out.println("Stopped; data kept in " + dir.root());
  }

  private void save() {
    state.save(dir.stateFile());
  }

  private static void joinAll(List<Thread> threads) {
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

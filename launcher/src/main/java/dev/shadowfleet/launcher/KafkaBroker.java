package dev.shadowfleet.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller, one node) in a child process, with its
 * log directory under a data directory of its own.
 *
 * <p>The first {@link #start()} formats the log directory with a new cluster id; later starts on the same
 * directory reuse it, so topics and records survive a stop, a {@link #kill()} and a restart. Listeners
 * are on 127.0.0.1 only. Fault-injection tests use {@link #kill()} / {@link #start()} as a real outage.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start(KafkaBroker.Config.defaults(dir))) {
 *   kafka.createTopics(FleetTopics.plan(8));
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {
  /** Main class of Apache Kafka's server (the one {@code kafka-server-start.sh} runs). */
  static final String SERVER_MAIN = "kafka.Kafka";

  /** Main class of {@code kafka-storage.sh} (formats a KRaft log directory). */
  static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";

  /**
   * How to run the broker.
   *
   * @param dataDir everything of this broker lives here: {@code log/} (the KRaft log directory), {@code
   *     server.properties}, {@code cluster.id}, {@code broker.log}
   * @param port client listener (PLAINTEXT) on 127.0.0.1; 0 picks a free port at each start
   * @param controllerPort KRaft controller listener on 127.0.0.1; 0 picks a free port at each start
   * @param classpath a classpath holding {@code org.apache.kafka:kafka_2.13} and its runtime dependencies
   * @param jvmOptions options of the broker's JVM (heap)
   * @param overrides broker settings added to (or replacing) the generated ones
   * @param startupTimeout how long {@link #start()} waits for the broker to answer
   * @param stopGrace how long {@link #close()} waits after SIGTERM before SIGKILL
   */
  public record Config(
      Path dataDir,
      int port,
      int controllerPort,
      String classpath,
      List<String> jvmOptions,
      Map<String, String> overrides,
      Duration startupTimeout,
      Duration stopGrace) {
    public Config {
      dataDir = dataDir.toAbsolutePath();
      jvmOptions = List.copyOf(jvmOptions);
      overrides = Map.copyOf(overrides);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("`port` must be in 0..65535, got " + port);
      }
      if (controllerPort < 0 || controllerPort > 65535) {
        throw new IllegalArgumentException("`controllerPort` must be in 0..65535, got " + controllerPort);
      }
    }

    /** Free ports, this JVM's classpath, 512 MiB heap, 90 s to start, 20 s to stop. */
    public static Config defaults(Path dataDir) {
      return new Config(
          dataDir,
          0,
          0,
          System.getProperty("java.class.path"),
          List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
          Map.of(),
          Duration.ofSeconds(90),
          Duration.ofSeconds(20));
    }

    public Config withPorts(int port, int controllerPort) {
      return new Config(
          dataDir, port, controllerPort, classpath, jvmOptions, overrides, startupTimeout, stopGrace);
    }

    public Config withOverrides(Map<String, String> overrides) {
      return new Config(
          dataDir, port, controllerPort, classpath, jvmOptions, overrides, startupTimeout, stopGrace);
    }
  }

  private final Config config;
  private ChildProcess process;
  private int port;
  private int controllerPort;

  private KafkaBroker(Config config) {
    this.config = config;
  }

  /** A broker that is not running yet; {@link #start()} starts it. */
  public static KafkaBroker create(Config config) {
    return new KafkaBroker(config);
  }

  /** Creates the broker and starts it (formatting its log directory the first time). */
  public static KafkaBroker start(Config config) {
    KafkaBroker broker = new KafkaBroker(config);
    broker.start();
    return broker;
  }

  /**
   * Formats the log directory when it has never been formatted, starts the broker process and waits until
   * it answers a describeCluster request. Restarting after {@link #stop} or {@link #kill} reuses the data.
   *
   * @throws IllegalStateException when it is already running, or did not come up in time (with the tail
   *     of its log)
   */
  public synchronized void start() {
    if (isRunning()) {
      throw new IllegalStateException("Kafka broker already running: " + process);
    }
    try {
      Files.createDirectories(logDir());
      port = config.port() == 0 ? Ports.free() : config.port();
      controllerPort = config.controllerPort() == 0 ? Ports.free() : config.controllerPort();
      for (int p : new int[] {port, controllerPort}) {
        if (!Ports.isFree(p)) {
          throw new IllegalStateException(
              "Kafka port " + p + " on 127.0.0.1 is in use (another broker on this data directory?)");
        }
      }
      writeServerProperties();
      if (!isFormatted()) {
        format();
      }
      process =
          ChildProcess.java(
              "kafka",
              jvmOptions(),
              config.classpath(),
              SERVER_MAIN,
              List.of(serverProperties().toString()),
              Map.of(),
              config.dataDir(),
              logFile());
      awaitReady();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Kafka in " + config.dataDir() + ": " + e, e);
    } catch (RuntimeException e) {
      if (process != null && process.isAlive()) {
        process.kill();
      }
      throw e;
    }
  }

  /** {@code 127.0.0.1:<port>} of the client listener (valid while running, and kept after a stop). */
  public String bootstrapServers() {
    if (port == 0) {
      throw new IllegalStateException("Kafka broker never started");
    }
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  /** The broker's process id; -1 when it was never started. */
  public long pid() {
    return process == null ? -1 : process.pid();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  public Path dataDir() {
    return config.dataDir();
  }

  public Path logFile() {
    return config.dataDir().resolve("broker.log");
  }

  /** The cluster id the log directory was formatted with. */
  public String clusterId() {
    try {
      return Files.readString(config.dataDir().resolve("cluster.id"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Kafka data directory never formatted: " + config.dataDir(), e);
    }
  }

  /** SIGTERM (the broker shuts down cleanly), then SIGKILL after {@code grace}. */
  public synchronized void stop(Duration grace) {
    if (process != null) {
      process.stop(grace);
    }
  }

  /** SIGKILL now, as a crash would (the data directory stays; {@link #start()} recovers it). */
  public synchronized void kill() {
    if (process != null) {
      process.kill();
    }
  }

  @Override
  public void close() {
    stop(config.stopGrace());
  }

  /** An admin client for this broker (the caller closes it). */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(p);
  }

  /** Creates the topics of {@code plan} on this broker; see {@link FleetTopics#ensure}. */
  public void createTopics(List<FleetTopics.Topic> plan) {
    try (Admin admin = admin()) {
      FleetTopics.ensure(admin, plan);
    }
  }

  // ---------------------------------------------------------------------------------------------------

  private Path logDir() {
    return config.dataDir().resolve("log");
  }

  private Path serverProperties() {
    return config.dataDir().resolve("server.properties");
  }

  private boolean isFormatted() {
    return Files.exists(logDir().resolve("meta.properties"));
  }

  private List<String> jvmOptions() {
    var opts = new ArrayList<>(config.jvmOptions());
    opts.add("-Djava.awt.headless=true");
    // Kafka logs through SLF4J; the classpath's binding writes to stderr, i.e. broker.log.
    opts.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    opts.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS");
    opts.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info");
    opts.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn");
    return opts;
  }

  /** The settings of a single-node KRaft cluster on loopback; every replication factor is 1. */
  Map<String, String> serverSettings() {
    var s = new LinkedHashMap<String, String>();
    s.put("process.roles", "broker,controller");
    s.put("node.id", "1");
    s.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    s.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    s.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    s.put("controller.listener.names", "CONTROLLER");
    s.put("inter.broker.listener.name", "PLAINTEXT");
    s.put("log.dirs", logDir().toString());
    s.put("num.partitions", "1");
    // One broker: every internal topic with one replica, or it is never created.
    s.put("offsets.topic.replication.factor", "1");
    s.put("offsets.topic.num.partitions", "8");
    s.put("transaction.state.log.replication.factor", "1");
    s.put("transaction.state.log.min.isr", "1");
    s.put("transaction.state.log.num.partitions", "4");
    s.put("share.coordinator.state.topic.replication.factor", "1");
    s.put("share.coordinator.state.topic.min.isr", "1");
    s.put("min.insync.replicas", "1");
    s.put("default.replication.factor", "1");
    // A local stack: consumers join at once instead of after the default 3 s.
    s.put("group.initial.rebalance.delay.ms", "0");
    s.put("unclean.leader.election.enable", "false");
    s.putAll(config.overrides());
    return s;
  }

  private void writeServerProperties() throws IOException {
    try (Writer w = Files.newBufferedWriter(serverProperties(), StandardCharsets.UTF_8)) {
      w.write("# Written by the ShadowFleet launcher at each start; edits are overwritten.\n");
      for (var e : serverSettings().entrySet()) {
        w.write(e.getKey() + "=" + e.getValue() + "\n");
      }
    }
  }

  /** {@code kafka-storage format} with a cluster id kept in {@code cluster.id} (reused on a re-format). */
  private void format() throws IOException {
    Path idFile = config.dataDir().resolve("cluster.id");
    String clusterId;
    if (Files.exists(idFile)) {
      clusterId = Files.readString(idFile, StandardCharsets.UTF_8).trim();
    } else {
      clusterId = Uuid.randomUuid().toString();
      Files.writeString(idFile, clusterId + "\n", StandardCharsets.UTF_8);
    }
    ChildProcess tool =
        ChildProcess.java(
            "kafka-storage-format",
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
            config.classpath(),
            STORAGE_TOOL_MAIN,
            List.of("format", "-t", clusterId, "-c", serverProperties().toString()),
            Map.of(),
            config.dataDir(),
            config.dataDir().resolve("format.log"));
    try {
      if (!tool.waitFor(config.startupTimeout())) {
        tool.kill();
        throw new IllegalStateException("formatting the Kafka log directory timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tool.kill();
      throw new IllegalStateException("interrupted while formatting the Kafka log directory", e);
    }
    if (tool.exitCode() != 0 || !isFormatted()) {
      throw new IllegalStateException(
          "formatting the Kafka log directory failed (exit "
              + tool.exitCode()
              + "):\n"
              + tool.logTail(20));
    }
  }

  /** Polls describeCluster until the broker lists itself, the process dies or the timeout passes. */
  private void awaitReady() {
    long deadline = System.nanoTime() + config.startupTimeout().toNanos();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    try (Admin admin = Admin.create(p)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Kafka broker exited with code "
                  + process.exitCode()
                  + " while starting; last lines of "
                  + logFile()
                  + ":\n"
                  + process.logTail(30));
        }
        if (Ports.accepts("127.0.0.1", port)) {
          try {
            var nodes =
                admin
                    .describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                    .nodes()
                    .get(3, TimeUnit.SECONDS);
            if (!nodes.isEmpty()) {
              return;
            }
          } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // not ready yet
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka broker did not answer within "
                  + config.startupTimeout().toSeconds()
                  + " s; last lines of "
                  + logFile()
                  + ":\n"
                  + process.logTail(30));
        }
        sleep(250);
      }
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

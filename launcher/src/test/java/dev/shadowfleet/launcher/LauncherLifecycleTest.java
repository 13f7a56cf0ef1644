package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user runs it, in a child JVM: {@code infra} starts a real Kafka and PostgreSQL, a
 * second launcher on the same data directory is refused, SIGTERM (what Ctrl-C does) stops every child,
 * a second start finds the data of the first, and {@code down} cleans up after a launcher killed with
 * SIGKILL.
 */
class LauncherLifecycleTest {
  @TempDir Path dir;
  private final List<Process> launchers = new ArrayList<>();

  @Test
  void stopLeavesNothingRunningAndTheSecondStartReusesTheData() throws Exception {
    DataDir data = new DataDir(dir.resolve("home"));

    // First run: write a record to Kafka and a row to PostgreSQL.
    Process first = startInfra(data, "first.out");
    StackState s1 = awaitRunning(data, first);
    long kafka1 = pid(s1, "kafka.pid");
    long pg1 = pid(s1, "postgres.pid");
    assertAlive(kafka1, pg1);
    produce(s1.get("kafka.bootstrap").orElseThrow(), "kept across restarts");
    sql(s1, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('kept across restarts')");

    // A second launcher on the same directory is refused (exit 2), naming the running one.
    var err = new ByteArrayOutputStream();
    int code = ShadowfleetLocal.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
        "infra", "--data-dir", data.root().toString());
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("another launcher (pid " + first.pid() + ")"), err.toString());

    // status sees it.
    var out = new ByteArrayOutputStream();
    assertEquals(0, ShadowfleetLocal.run(new PrintStream(out), System.err, "status", "--data-dir", data.root().toString()));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("kafka.pid"), out.toString());

    // SIGTERM, as Ctrl-C: the shutdown hook stops every child; the launcher exits.
    first.destroy();
    assertTrue(first.waitFor(90, TimeUnit.SECONDS), "launcher exited");
    assertDead(kafka1, pg1);
    assertFalse(Files.exists(data.stateFile()), "state file removed");
    assertFalse(Files.exists(data.pidFile()), "pid file removed");
    assertEquals(1, ShadowfleetLocal.run(new PrintStream(new ByteArrayOutputStream()), System.err,
        "status", "--data-dir", data.root().toString()));

    // Second run on the same directory: same ports when free, the data is still there.
    Process second = startInfra(data, "second.out");
    StackState s2 = awaitRunning(data, second);
    assertEquals(s1.get("kafka.bootstrap"), s2.get("kafka.bootstrap"));
    assertEquals(List.of("kept across restarts"), consume(s2.get("kafka.bootstrap").orElseThrow()));
    assertEquals("kept across restarts", sqlValue(s2, "SELECT v FROM marker"));
    long kafka2 = pid(s2, "kafka.pid");
    long pg2 = pid(s2, "postgres.pid");

    // SIGKILL: no hook runs, the children are orphaned; `down` finds and stops them.
    second.destroyForcibly();
    assertTrue(second.waitFor(10, TimeUnit.SECONDS));
    assertAlive(kafka2, pg2);
    assertEquals(0, LauncherChild.down(data.root()));
    assertDead(kafka2, pg2);
    assertFalse(Files.exists(data.stateFile()));
  }

  @Test
  void badInputExitsWithTwoAndAClearMessage() {
    var err = new ByteArrayOutputStream();
    int code = ShadowfleetLocal.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
        "workers", "--count", "0", "--kafka-bootstrap", "127.0.0.1:9", "--data-dir", dir.toString());
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("`--count` must be in [1, 256], got 0"), err.toString());
    assertEquals(2, ShadowfleetLocal.run(new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()), "up", "--images", "many"));
    assertEquals(2, ShadowfleetLocal.run(new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()), "sideways"));
  }

  @AfterEach
  void killLeftovers() throws Exception {
    for (Process p : launchers) {
      p.destroyForcibly();
    }
    // Whatever a failed assertion left running.
    Path home = dir.resolve("home");
    if (Files.exists(home)) {
      LauncherChild.down(home);
    }
  }

  private Process startInfra(DataDir data, String outFile) throws Exception {
    Process p = new ProcessBuilder(ChildProcess.javaExecutable(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), ShadowfleetLocal.class.getName(),
        "infra", "--data-dir", data.root().toString(), "--max-workers", "1")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(outFile).toFile())
        .start();
    launchers.add(p);
    return p;
  }

  /** Waits for the state file to name PostgreSQL (the last thing infra starts). */
  private StackState awaitRunning(DataDir data, Process launcher) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(launcher.isAlive(), () -> "launcher exited: " + output());
      var s = StackState.load(data.stateFile());
      if (s.isPresent() && s.get().get("postgres.pid").isPresent()) {
        return s.get();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("infra did not come up: " + output());
  }

  private String output() {
    try (var files = Files.list(dir)) {
      StringBuilder b = new StringBuilder();
      for (Path f : files.filter(p -> p.toString().endsWith(".out")).toList()) {
        b.append(f).append(":\n").append(Files.readString(f));
      }
      return b.toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static long pid(StackState s, String key) {
    return Long.parseLong(s.get(key).orElseThrow());
  }

  private static void assertAlive(long... pids) {
    for (long pid : pids) {
      assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " alive");
    }
  }

  private static void assertDead(long... pids) throws InterruptedException {
    for (long pid : pids) {
      var h = ProcessHandle.of(pid);
      for (int i = 0; i < 50 && h.map(ProcessHandle::isAlive).orElse(false); i++) {
        Thread.sleep(100);
      }
      assertFalse(h.map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still running");
    }
  }

  private static void produce(String bootstrap, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(dev.shadowfleet.common.message.Topics.RESULTS_DLQ, value)).get();
    }
  }

  private static List<String> consume(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      var tp = new TopicPartition(dev.shadowfleet.common.message.Topics.RESULTS_DLQ, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<String> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (got.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> got.add(r.value()));
      }
      return got;
    }
  }

  private static void sql(StackState s, String statements) throws Exception {
    try (Connection c = connect(s); Statement st = c.createStatement()) {
      st.execute(statements);
    }
  }

  private static String sqlValue(StackState s, String query) throws Exception {
    try (Connection c = connect(s); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }

  private static Connection connect(StackState s) throws Exception {
    return DriverManager.getConnection(s.get("postgres.jdbc-url").orElseThrow(), Postgres.USER, Postgres.PASSWORD);
  }
}

package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fault-injection scenarios, each on a fresh sweep of a running {@link FaultStack}: inject the
 * fault while the sweep runs, wait until every job has ended, then check the {@link Invariant} and
 * append one line to {@code target/faults/summary.tsv} (read by {@code tools/faults/run.sh}).
 */
final class FaultScenarios {
  /** Longest wait for one sweep to finish. */
  static final Duration SWEEP_TIMEOUT = Duration.ofMinutes(6);

  /** Attack steps of the ordinary scenario jobs (the tiny model takes milliseconds per step). */
  static final int STEPS = 5;

  /** Results topic and the coordinator's ingestion group (coordinator defaults). */
  private static final String RESULTS = "shadowfleet.results";
  private static final String INGEST_GROUP = "shadowfleet-coordinator";

  private final FaultStack stack;

  FaultScenarios(FaultStack stack) {
    this.stack = stack;
  }

  /** One scenario's line of the summary. */
  record Outcome(String scenario, int faults, long jobs, long lost, long duplicated, double wallSeconds,
      Invariant.Report report) {}

  /**
   * Worker processes SIGKILLed at seeded random moments once the sweep's first results are in (each
   * replaced at once by a new one).
   */
  Outcome workerSigkill(long seed, int images, int kills) throws Exception {
    long t0 = System.nanoTime();
    FaultStack.Sweep sweep = stack.submit(0, images, STEPS);
    stack.await(SWEEP_TIMEOUT, () -> stack.finished(sweep.id()) > 0, "the first results", 20);
    Random rnd = new Random(seed);
    int done = 0;
    for (int k = 0; k < kills && !finished(sweep); k++) {
      FaultStack.sleep(200 + rnd.nextInt(1_500));
      List<ChildProcess> live = stack.liveWorkers();
      if (live.isEmpty() || finished(sweep)) {
        break;
      }
      live.get(rnd.nextInt(live.size())).kill();
      stack.startWorker();
      done++;
    }
    return finish("worker SIGKILL (seed " + seed + ")", sweep, done, t0);
  }

  /** The coordinator SIGKILLed while its relay publishes the sweep's jobs, then restarted. */
  Outcome coordinatorRestartDuringFanout(int images) throws Exception {
    long t0 = System.nanoTime();
    FaultStack.Sweep sweep = stack.submit(100, images, STEPS);
    stack.await(Duration.ofSeconds(30), () -> stack.published(sweep.id()) > 0, "the fan-out to begin", 2);
    stack.killCoordinator();
    long published = stack.published(sweep.id());
    assertTrue(published < sweep.jobs(), "killed during the fan-out: " + published + " of " + sweep.jobs() + " published");
    stack.startCoordinator();
    return finish("coordinator restart during fan-out (" + published + "/" + sweep.jobs() + " published)", sweep, 1, t0);
  }

  /** The coordinator SIGKILLed while results stream in, down for 3 s, then restarted. */
  Outcome coordinatorRestartDuringIngestion(int images) throws Exception {
    long t0 = System.nanoTime();
    FaultStack.Sweep sweep = stack.submit(200, images, STEPS);
    stack.await(SWEEP_TIMEOUT, () -> stack.finished(sweep.id()) >= sweep.jobs() / 4, "a quarter of the jobs");
    stack.killCoordinator();
    FaultStack.sleep(3_000);
    stack.startCoordinator();
    return finish("coordinator restart during ingestion", sweep, 1, t0);
  }

  /** The broker SIGKILLed mid-sweep, down for 5 s, restarted on its data. */
  Outcome kafkaRestart(int images) throws Exception {
    long t0 = System.nanoTime();
    FaultStack.Sweep sweep = stack.submit(300, images, STEPS);
    stack.await(SWEEP_TIMEOUT, () -> stack.finished(sweep.id()) >= sweep.jobs() / 4, "a quarter of the jobs");
    stack.killKafka();
    FaultStack.sleep(5_000);
    stack.startKafka();
    return finish("Kafka broker SIGKILL + restart", sweep, 1, t0);
  }

  /** PostgreSQL stopped mid-sweep, down for 5 s, started again on its data. */
  Outcome postgresRestart(int images) throws Exception {
    long t0 = System.nanoTime();
    FaultStack.Sweep sweep = stack.submit(400, images, STEPS);
    stack.await(SWEEP_TIMEOUT, () -> stack.finished(sweep.id()) >= sweep.jobs() / 4, "a quarter of the jobs");
    stack.stopPostgres();
    FaultStack.sleep(5_000);
    stack.startPostgres();
    return finish("PostgreSQL stop + restart", sweep, 1, t0);
  }

  /**
   * After a sweep finished, every one of its results is delivered twice more, all in a seeded random
   * order: the database must not change at all (job states, results, outcomes, counters).
   */
  Outcome duplicatedAndReordered(long seed, int images) throws Exception {
    long t0 = System.nanoTime();
    FaultStack.Sweep sweep = stack.submit(500, images, STEPS);
    Outcome first = finish(null, sweep, 0, t0);
    assertTrue(first.report().holds(), first.report().toString());
    String before;
    try (Connection db = stack.db()) {
      before = Invariant.snapshot(db, sweep.id());
    }
    int faults = redeliver(sweep.id(), seed, 2);
    Outcome after = finish(null, sweep, faults, t0);
    String now;
    try (Connection db = stack.db()) {
      now = Invariant.snapshot(db, sweep.id());
    }
    Invariant.Report r = after.report();
    if (!before.equals(now)) {
      List<String> problems = new ArrayList<>(r.problems());
      problems.add("the database changed after the redeliveries");
      r = new Invariant.Report(r.sweepId(), r.jobs(), r.lost(), r.duplicated(), problems);
    }
    Outcome o = new Outcome("duplicated + reordered deliveries (seed " + seed + ")", faults, r.jobs(), r.lost(),
        r.duplicated(), after.wallSeconds(), r);
    record(o);
    return o;
  }

  /**
   * One worker whose batches take longer than its {@code max.poll.interval.ms} (1.5 s): the loop keeps
   * polling while it computes, so it is never evicted and no batch is done twice.
   */
  Outcome slowWorker(int images, int steps) throws Exception {
    long t0 = System.nanoTime();
    stack.stopWorkers();
    stack.workerEnv(Map.of("SHADOWFLEET_MAX_POLL_INTERVAL_MS", "1500", "SHADOWFLEET_POLL_TIMEOUT_MS", "100"));
    ChildProcess slow = stack.startWorker();
    stack.workerEnv(Map.of());
    FaultStack.Sweep sweep = stack.submit(600, images, steps);
    finish(null, sweep, 0, t0);
    int slowBatches = 0;
    try (Connection db = stack.db(); var ps = db.prepareStatement(
        "SELECT count(*) FROM (SELECT image_index FROM job_results WHERE sweep_id = ? GROUP BY image_index"
            + " HAVING sum(wall_millis) > 1500) AS slow")) { // a batch's jobs run one after the other
      ps.setString(1, sweep.id());
      try (var rs = ps.executeQuery()) {
        rs.next();
        slowBatches = rs.getInt(1);
      }
    }
    String log = Files.readString(slow.logFile());
    assertTrue(slowBatches > 0, "no batch took longer than the poll interval");
    assertTrue(!log.contains("failed (group rebalanced)") && !log.contains(" lost ["),
        "the slow worker was evicted:\n" + log.substring(Math.max(0, log.length() - 3000)));
    stack.stopWorkers();
    return finish("worker slower than max.poll.interval.ms (" + slowBatches + " batches > 1.5 s)", sweep, slowBatches, t0);
  }

  /** Waits for the sweep to end, checks the invariant and records the outcome (when {@code name} is set). */
  Outcome finish(String name, FaultStack.Sweep sweep, int faults, long t0) throws Exception {
    stack.await(SWEEP_TIMEOUT, () -> finished(sweep), "sweep " + sweep.id() + " to finish ("
        + stack.finished(sweep.id()) + "/" + sweep.jobs() + " so far)");
    awaitIngested(Duration.ofSeconds(60)); // late redeliveries included
    Invariant.Report report;
    try (Connection db = stack.db()) {
      report = Invariant.check(db, sweep.id());
    }
    Outcome o = new Outcome(name, faults, report.jobs(), report.lost(), report.duplicated(),
        (System.nanoTime() - t0) / 1e9, report);
    if (name != null) {
      record(o);
    }
    return o;
  }

  private boolean finished(FaultStack.Sweep sweep) {
    return stack.finished(sweep.id()) >= sweep.jobs();
  }

  /** Waits until the coordinator has committed everything on the results topic. */
  void awaitIngested(Duration timeout) {
    stack.await(timeout, this::ingestedAll, "the coordinator to ingest every result");
  }

  private boolean ingestedAll() {
    Properties p = new Properties();
    p.put("bootstrap.servers", stack.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(INGEST_GROUP).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
      admin.describeTopics(List.of(RESULTS)).allTopicNames().get().get(RESULTS).partitions()
          .forEach(i -> spec.put(new TopicPartition(RESULTS, i.partition()), OffsetSpec.latest()));
      for (var e : admin.listOffsets(spec).all().get().entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Publishes every result record of {@code sweepId} {@code times} more times, shuffled; returns how many. */
  int redeliver(String sweepId, long seed, int times) throws Exception {
    List<ConsumerRecord<byte[], byte[]>> mine = new ArrayList<>();
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = consumer.partitionsFor(RESULTS).stream()
          .map(i -> new TopicPartition(RESULTS, i.partition())).toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(sweepId + "/")) {
            mine.add(r);
          }
        }
      }
    }
    List<ConsumerRecord<byte[], byte[]>> again = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      again.addAll(mine);
    }
    Collections.shuffle(again, new Random(seed));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    AtomicInteger sent = new AtomicInteger();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (ConsumerRecord<byte[], byte[]> r : again) {
        // any partition: a redelivery may even arrive on another partition than the original
        int partition = new Random(seed + sent.get()).nextInt(4);
        producer.send(new ProducerRecord<>(RESULTS, partition, r.key(), r.value()));
        sent.incrementAndGet();
      }
      producer.flush();
    }
    assertEquals(again.size(), sent.get());
    return sent.get();
  }

  /** Appends the outcome to {@code target/faults/summary.tsv}. */
  static void record(Outcome o) throws IOException {
    Path file = Path.of("target", "faults", "summary.tsv");
    Files.createDirectories(file.getParent());
    String line = String.join("\t", o.scenario(), Integer.toString(o.faults()), Long.toString(o.jobs()),
        Long.toString(o.lost()), Long.toString(o.duplicated()), String.format("%.1f", o.wallSeconds()),
        o.report().holds() ? "PASS" : "FAIL") + "\n";
    Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}

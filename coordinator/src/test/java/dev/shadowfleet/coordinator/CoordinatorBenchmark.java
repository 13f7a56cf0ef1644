package dev.shadowfleet.coordinator;

import static org.awaitility.Awaitility.await;

import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Provenance;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.coordinator.ingest.ResultIngestor;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmarks, not tests (tag "benchmark", left out of the default build): run with
 * tools/bench/bench_coordinator.sh. Figures go to stdout and coordinator/target/bench-coordinator.txt.
 *
 * <ul>
 *   <li>fan-out: POST a 1,000,000-job sweep, time until the relay has every job acknowledged by Kafka
 *       (checked against the topic's end offsets);
 *   <li>ingestion: with the consumer stopped, put N realistic results on the results topic, start the
 *       consumer and time the drain until every job is DONE with its image outcome.
 * </ul>
 */
@QuarkusTest
@WithTestResource(RealServices.class)
@TestProfile(CoordinatorBenchmark.Production.class)
@Tag("benchmark")
class CoordinatorBenchmark {
  static final int FANOUT_IMAGES = 50_000; // × 2 models × 10 targets = 1,000,000 jobs
  static final int INGEST_IMAGES = Integer.getInteger("bench.ingest.images", 20_000); // × 10 targets

  /** Production relay and limits (the %test profile uses small pages for the crash tests). */
  public static class Production implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "shadowfleet.relay.page-size", System.getProperty("bench.page-size", "5000"),
          "shadowfleet.sweep.max-jobs", "5000000",
          "shadowfleet.kafka.job-partitions", "24",
          "shadowfleet.kafka.result-partitions", "12",
          "quarkus.log.category.\"dev.shadowfleet.coordinator.ingest\".level", System.getProperty("bench.ingest.log", "INFO"),
          "quarkus.log.category.\"dev.shadowfleet.coordinator.ingest\".min-level", "DEBUG");
    }
  }

  @Inject AgroalDataSource db;
  @Inject ResultIngestor ingestor;

  @Test
  void fanOutOfAMillionJobSweep() {
    String rs = Api.model(false);
    String ibp = Api.model(true);
    long before = endOffsets(Topics.JOBS);
    Map<String, Object> body = Api.sweep(FANOUT_IMAGES, rs, ibp);
    body.put("dataset", "fashion-mnist:train");
    long t0 = System.nanoTime();
    String sweep = Api.submit(body);
    long accepted = System.nanoTime();
    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> Api.count(db, "SELECT published_jobs FROM sweeps WHERE id = '" + sweep + "'") == 1_000_000);
    long published = System.nanoTime();
    long onTopic = endOffsets(Topics.JOBS) - before;
    report(String.format(
        "fan-out: 1,000,000 jobs; request (validate + INSERT…SELECT of all jobs) %.1f s; request → all acknowledged on Kafka %.1f s"
            + " (%.0f jobs/s); records added to %s: %d",
        secs(accepted - t0), secs(published - t0), 1_000_000 / secs(published - t0), Topics.JOBS, onTopic));
  }

  /**
   * The results queries on a 1,000,000-job sweep (50,000 images × 2 models × 10 targets): results and image
   * outcomes are generated in SQL (one stored result per job, one outcome per image), then every query the
   * summary, the gallery, one image and the comparison run is timed with EXPLAIN (ANALYZE, BUFFERS).
   */
  @Test
  void resultQueriesOnAMillionJobSweep() throws Exception {
    ingestor.stop();
    String rs = Api.model(false);
    String ibp = Api.model(true);
    Map<String, Object> body = Api.sweep(FANOUT_IMAGES, rs, ibp);
    body.put("dataset", "fashion-mnist:train");
    String sweep = Api.submit(body);
    String s = "'" + sweep + "'";
    long t0 = System.nanoTime();
    exec("INSERT INTO job_results (job_id, sweep_id, model_id, image_index, target, status, attempt, worker_id, label,"
        + " natural_label, natural_certified, natural_radius, natural_method, attack_label, attack_certified, attack_radius,"
        + " attack_method, success, targeted_success, spoof_loss, tv, steps, wall_millis, compute_seconds, result)"
        + " SELECT id, sweep_id, model_id, image_index, target, 'DONE', 1, 'w', image_index % 10,"
        + " image_index % 10, true, (image_index % 97) / 100.0, 'rs', CASE WHEN (image_index + target) % 3 = 0 THEN target"
        + " ELSE image_index % 10 END, (image_index + target) % 3 = 0, (image_index * target % 89) / 100.0, 'rs',"
        + " (image_index + target) % 3 = 0, (image_index + target) % 3 = 0, 1.0 / (1 + target), 0.01, 20, 1000, 1.0, '{}'"
        + " FROM jobs WHERE sweep_id = " + s);
    exec("UPDATE jobs SET state = 'DONE' WHERE sweep_id = " + s);
    exec("INSERT INTO image_outcomes (sweep_id, model_id, image_index, best_job_id, target, status, label, success,"
        + " targeted_success, natural_label, natural_certified, natural_radius, attack_label, attack_certified, attack_radius,"
        + " attack_method, spoof_loss, tv, results, rank_key)"
        + " SELECT DISTINCT ON (model_id, image_index) sweep_id, model_id, image_index, job_id, target, status, label, success,"
        + " targeted_success, natural_label, natural_certified, natural_radius, attack_label, attack_certified, attack_radius,"
        + " attack_method, spoof_loss, tv, 10, '\\x00'::bytea FROM job_results WHERE sweep_id = " + s
        + " ORDER BY model_id, image_index, success DESC, attack_radius DESC");
    exec("ANALYZE job_results; ANALYZE image_outcomes; ANALYZE jobs");
    report(String.format("result queries: 1,000,000 job results and %d image outcomes generated in %.1f s; load %s",
        Api.count(db, "SELECT count(*) FROM image_outcomes WHERE sweep_id = " + s), secs(System.nanoTime() - t0), loadAverage()));

    String m = "'" + rs + "'";
    Map<String, String> queries = new java.util.LinkedHashMap<>();
    queries.put("summary: v_model_summary of the sweep", "SELECT * FROM v_model_summary WHERE sweep_id = " + s);
    queries.put("summary: success by target class (one model)", "SELECT target, count(*), count(*) FILTER (WHERE success)"
        + " FROM job_results WHERE sweep_id = " + s + " AND model_id = " + m + " AND status = 'DONE' GROUP BY target ORDER BY target");
    queries.put("summary: histogram bins (one model)", "SELECT least(width_bucket(natural_radius, 0, 1, 20), 20) - 1 AS b, count(*)"
        + " FROM image_outcomes WHERE sweep_id = " + s + " AND model_id = " + m + " AND natural_label >= 0 GROUP BY b");
    queries.put("progress: v_sweep_progress", "SELECT * FROM v_sweep_progress WHERE sweep_id = " + s);
    for (String[] q : new String[][] {{"gallery page 1 (model, image order)", null, null, null, null},
        {"gallery page 1000 (model, image order)", null, null, null, "1000"},
        {"gallery: successes, attack radius ↓", "true", null, "-attackRadius", null},
        {"gallery: class 3, natural radius ↓", null, "3", "-naturalRadius", null}}) {
      dev.shadowfleet.coordinator.sweep.OutcomeQuery oq =
          dev.shadowfleet.coordinator.sweep.OutcomeQuery.parse(sweep, rs, q[1], q[2], q[3]);
      String sql = dev.shadowfleet.coordinator.sweep.ResultService.pageSql(oq);
      int page = q[4] == null ? 0 : Integer.parseInt(q[4]);
      queries.put(q[0], inline(sql, oq, 24, (long) page * 24));
      queries.put(q[0] + ": count", inline("SELECT count(*) FROM image_outcomes" + oq.where(), oq, -1, -1));
    }
    queries.put("one image: every target", "SELECT j.target, j.state, r.status, r.success, r.attack_radius FROM jobs j"
        + " LEFT JOIN job_results r ON r.job_id = j.id WHERE j.id LIKE '" + sweep + "/" + rs + "/4711/%' AND j.sweep_id = " + s
        + " AND j.model_id = " + m + " AND j.image_index = 4711 ORDER BY j.target");
    queries.put("compare: paired on common images (one model, sweep with itself)", "SELECT count(*), count(*) FILTER (WHERE y.success),"
        + " avg(CASE WHEN y.success THEN y.attack_radius ELSE 0 END - CASE WHEN x.success THEN x.attack_radius ELSE 0 END)"
        + " FROM image_outcomes x JOIN image_outcomes y ON y.sweep_id = " + s + " AND y.model_id = x.model_id"
        + " AND y.image_index = x.image_index WHERE x.sweep_id = " + s + " AND x.model_id = " + m
        + " AND x.natural_label >= 0 AND y.natural_label >= 0");
    for (var e : queries.entrySet()) {
      List<String> plan = new java.util.ArrayList<>();
      for (Map<String, Object> row : Api.rows(db, "EXPLAIN (ANALYZE, BUFFERS) " + e.getValue())) {
        plan.add((String) row.values().iterator().next());
      }
      String time = plan.stream().filter(l -> l.startsWith("Execution Time")).findFirst().orElse("?");
      String top = plan.get(0).trim();
      String scans = plan.stream().map(String::trim).filter(l -> l.contains(" Scan ")).map(l -> l.replaceAll("^->\\s*", "")
          .replaceAll("\\s+\\(cost.*", "")).distinct().collect(java.util.stream.Collectors.joining("; "));
      report(String.format("plan %s: %s | top: %s | scans: %s", e.getKey(), time, top.replaceAll("\\s+\\(cost.*", ""), scans));
    }
  }

  /** The listing SQL with its parameters written in (EXPLAIN of a statement with no bind step). */
  private static String inline(String sql, dev.shadowfleet.coordinator.sweep.OutcomeQuery q, int limit, long offset) {
    List<Object> args = new java.util.ArrayList<>();
    args.add(q.sweepId());
    for (Object v : new Object[] {q.model(), q.success(), q.label()}) {
      if (v != null) {
        args.add(v);
      }
    }
    if (limit >= 0) {
      args.add(limit);
      args.add(offset);
    }
    StringBuilder out = new StringBuilder();
    int k = 0;
    for (char ch : sql.toCharArray()) {
      if (ch == '?') {
        Object v = args.get(k++);
        out.append(v instanceof String str ? "'" + str.replace("'", "''") + "'" : String.valueOf(v));
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  private void exec(String sql) throws Exception {
    try (var c = db.getConnection(); var st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /**
   * The drain of {@link #INGEST_IMAGES}·10 results, measured after a warm-up drain of
   * {@code bench.ingest.warmup-images}·10 results (default 10,000 images; 0 = none) in another sweep, so that
   * the measured one runs in a JVM whose ingestion paths are already compiled, as in a long-running
   * coordinator. Both drains are reported. {@code bench.ddl} (SQL run before the drains) tries a schema variant.
   */
  @Test
  void ingestionRate() throws Exception {
    String rs = Api.model(false);
    int warmup = Integer.getInteger("bench.ingest.warmup-images", 10_000);
    String ddl = System.getProperty("bench.ddl"); // a schema variant to try, e.g. "DROP INDEX job_results_image"
    if (ddl != null) {
      exec(ddl);
      report("ingestion: schema variant: " + ddl);
    }
    if (warmup > 0) {
      drain(rs, warmup, "warm-up (cold JVM)");
    }
    drain(rs, INGEST_IMAGES, warmup > 0 ? "measured (after a warm-up of " + warmup * 10 + " results)" : "measured (cold JVM)");
  }

  /** One sweep of {@code images} × 10 targets: its results put on the topic, then drained and timed. */
  private void drain(String rs, int images, String what) throws Exception {
    Map<String, Object> body = Api.sweep(images, rs);
    body.put("dataset", "fashion-mnist:train");
    String sweep = Api.submit(body);
    int n = images * 10;
    await().atMost(Duration.ofMinutes(5)).until(() -> Api.count(db, "SELECT published_jobs FROM sweeps WHERE id = '" + sweep + "'") == n);

    ingestor.stop();
    Random rnd = new Random(1);
    Provenance provenance = new Provenance(AttackPreset.QUICK.params(), SmoothingParams.PAPER, null, 1, 2, Api.SHA, "cpu",
        Map.of("shadowfleet", "0.1.0", "djl", "0.36.0", "pytorch", "2.7.1", "java", "17"));
    long bytes = 0;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (int image = 0; image < images; image++) {
        for (int target = 0; target < 10; target++) {
          byte[] value = MessageCodec.encode(result(sweep, rs, image, target, rnd, provenance));
          bytes += value.length;
          producer.send(new ProducerRecord<>(Topics.RESULTS, Topics.key(sweep, rs, image).getBytes(StandardCharsets.UTF_8), value));
        }
      }
      producer.flush();
    }
    double jvmCpu0 = jvmCpuSeconds();
    double pgCpu0 = postgresCpuSeconds();
    Map<Long, Long> threads0 = threadCpuNanos();
    long jit0 = jitMillis();
    long gc0 = gcMillis();
    long t0 = System.nanoTime();
    ingestor.start();
    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> Api.count(db, "SELECT done FROM sweep_progress WHERE sweep_id = '" + sweep + "'") == n);
    double s = secs(System.nanoTime() - t0);
    double jvmCpu = jvmCpuSeconds() - jvmCpu0;
    double pgCpu = postgresCpuSeconds() - pgCpu0;
    long outcomes = Api.count(db, "SELECT count(*) FROM image_outcomes WHERE sweep_id = '" + sweep + "'");
    String threads = threadBreakdown(threads0, jvmCpu, n);
    threads += String.format("; of which JIT compilation %.1f µs, GC pauses and collection %.1f µs (wall time of those threads)",
        (jitMillis() - jit0) * 1e3 / n, (gcMillis() - gc0) * 1e3 / n);
    report(String.format(
        "ingestion, %s: %d results (mean %d bytes JSON) drained from a backlog in %.1f s = %.0f results/s, with %d image outcomes upserted;"
            + " CPU: test JVM (coordinator + in-JVM broker) %.1f s, PostgreSQL %.1f s = %.1f + %.1f = %.0f µs per result"
            + " (= %.0f results/s on 2 otherwise idle cores); load %s",
        what, n, bytes / n, s, n / s, outcomes, jvmCpu, pgCpu, 1e6 * jvmCpu / n, 1e6 * pgCpu / n, 1e6 * (jvmCpu + pgCpu) / n,
        2 * n / (jvmCpu + pgCpu), loadAverage()));
    report("ingestion, " + what + ": JVM CPU per result by thread group: " + threads);
  }

  private static long jitMillis() {
    var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long gcMillis() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
  }

  /** CPU nanoseconds of every live Java thread of this JVM, by thread id. */
  private static Map<Long, Long> threadCpuNanos() {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<Long, Long> out = new java.util.HashMap<>();
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      if (t >= 0) {
        out.put(id, t);
      }
    }
    return out;
  }

  /**
   * The JVM's CPU during the drain split by thread group (names without their numbers: the ingestor
   * threads, the parallel decode's common pool, the broker's threads, …); what no Java thread accounts for
   * is the JVM's own work (JIT compilers, garbage collector).
   */
  private static String threadBreakdown(Map<Long, Long> before, double jvmCpuSeconds, int results) {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Double> groups = new java.util.TreeMap<>();
    double javaThreads = 0;
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      var info = mx.getThreadInfo(id);
      if (t < 0 || info == null) {
        continue;
      }
      double us = (t - before.getOrDefault(id, 0L)) / 1e3 / results;
      javaThreads += us;
      groups.merge(info.getThreadName().replaceAll("\\d+", "#"), us, Double::sum);
    }
    StringBuilder sb = new StringBuilder();
    groups.entrySet().stream().filter(e -> e.getValue() >= 0.5).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sb.append(String.format("%s %.1f µs; ", e.getKey(), e.getValue())));
    sb.append(String.format("threads ended during the drain or outside Java threads (JIT, GC) %.1f µs",
        jvmCpuSeconds * 1e6 / results - javaThreads));
    return sb.toString();
  }

  private static JobResult result(String sweep, String model, int image, int target, Random rnd, Provenance provenance) {
    int label = image % 10;
    boolean success = target != label && rnd.nextInt(3) == 0;
    Certificate natural = new Certificate(label, true, 0.1 + rnd.nextDouble() * 0.5, 0.93, 99_000, 100_000, null, "rs");
    Certificate attack = new Certificate(success ? target : label, success || rnd.nextBoolean(), rnd.nextDouble() * 0.6, 0.9, 90_000, 100_000, null, "rs");
    return new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf(sweep, model, image, target), sweep, model, image, target, 1,
        "worker-" + rnd.nextInt(8), JobStatus.DONE, label, natural, attack, success, success, rnd.nextDouble(), rnd.nextDouble(),
        rnd.nextDouble(), null, rnd.nextDouble(), rnd.nextDouble() * 0.1, 20, 1500, 1.4, provenance, null, null);
  }

  private static long endOffsets(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** CPU seconds of this JVM (the coordinator, the in-JVM broker, the test's own polling). */
  private static double jvmCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  /**
   * CPU seconds (user + system) of the test's PostgreSQL server, from /proc: its postmaster (found by the
   * port of the JDBC URL; zonky detaches it from this JVM) and every backend under it.
   */
  private double postgresCpuSeconds() throws Exception {
    String port;
    try (var c = db.getConnection()) {
      port = c.getMetaData().getURL().replaceAll("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1");
    }
    List<ProcessHandle> server = new java.util.ArrayList<>();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().command().orElse("").endsWith("/postgres"))
        .filter(p -> String.join(" ", p.info().arguments().orElse(new String[0])).contains("-p " + port + " "))
        .forEach(p -> {
          server.add(p);
          p.descendants().forEach(server::add);
        });
    double ticks = 0;
    for (ProcessHandle p : server) {
      try {
        String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      } catch (IOException | RuntimeException e) {
        // the process ended in between
      }
    }
    return ticks / 100.0; // USER_HZ
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static double secs(long nanos) {
    return nanos / 1e9;
  }

  private static void report(String line) {
    String out = Instant.now() + " " + line;
    System.out.println("BENCHMARK " + out);
    try {
      Files.writeString(Path.of("target/bench-coordinator.txt"), out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

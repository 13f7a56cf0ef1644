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

  @Test
  void ingestionRate() throws Exception {
    String rs = Api.model(false);
    Map<String, Object> body = Api.sweep(INGEST_IMAGES, rs);
    body.put("dataset", "fashion-mnist:train");
    String sweep = Api.submit(body);
    int n = INGEST_IMAGES * 10;
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
      for (int image = 0; image < INGEST_IMAGES; image++) {
        for (int target = 0; target < 10; target++) {
          byte[] value = MessageCodec.encode(result(sweep, rs, image, target, rnd, provenance));
          bytes += value.length;
          producer.send(new ProducerRecord<>(Topics.RESULTS, Topics.key(sweep, rs, image).getBytes(StandardCharsets.UTF_8), value));
        }
      }
      producer.flush();
    }
    long t0 = System.nanoTime();
    ingestor.start();
    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> Api.count(db, "SELECT done FROM sweep_progress WHERE sweep_id = '" + sweep + "'") == n);
    double s = secs(System.nanoTime() - t0);
    long outcomes = Api.count(db, "SELECT count(*) FROM image_outcomes WHERE sweep_id = '" + sweep + "'");
    report(String.format(
        "ingestion: %d results (mean %d bytes JSON) drained from a backlog in %.1f s = %.0f results/s, with %d image outcomes upserted",
        n, bytes / n, s, n / s, outcomes));
  }

  private static JobResult result(String sweep, String model, int image, int target, Random rnd, Provenance provenance) {
    int label = image % 10;
    boolean success = target != label && rnd.nextInt(3) == 0;
    Certificate natural = new Certificate(label, true, 0.1 + rnd.nextDouble() * 0.5, 0.93, 99_000, 100_000, null, "rs");
    Certificate attack = new Certificate(success ? target : label, success || rnd.nextBoolean(), rnd.nextDouble() * 0.6, 0.9, 90_000, 100_000, null, "rs");
    return new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf(sweep, model, image, target), sweep, model, image, target, 1,
        "worker-" + rnd.nextInt(8), JobStatus.DONE, label, natural, attack, success, success, rnd.nextDouble(), rnd.nextDouble(),
        rnd.nextDouble(), null, rnd.nextDouble(), rnd.nextDouble() * 0.1, 20, 1500, 1.4, provenance, null);
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

package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker child process: real KRaft broker, round trip, SIGKILL + restart on the same data. */
class KafkaBrokerTest {
  @TempDir Path dir;

  @Test
  void roundTripSurvivesKillAndRestartOnTheSameDataDirectory() throws Exception {
    KafkaBroker kafka = KafkaBroker.create(KafkaBroker.Config.defaults(dir.resolve("kafka")));
    try {
      kafka.start();
      long firstPid = kafka.pid();
      String clusterId = kafka.clusterId();
      kafka.createTopics(FleetTopics.plan(3));
      kafka.createTopics(FleetTopics.plan(3)); // idempotent
      assertTopics(kafka);

      produce(kafka.bootstrapServers(), List.of("a", "b", "c"));
      assertEquals(List.of("a", "b", "c"), consumeAll(kafka.bootstrapServers(), 3));

      kafka.kill();
      assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
      assertFalse(Ports.accepts("127.0.0.1", kafka.port()), "nothing listens after SIGKILL");

      kafka.start(); // recovers the unclean log, same cluster
      assertNotEquals(firstPid, kafka.pid());
      assertEquals(clusterId, kafka.clusterId());
      assertEquals(List.of("a", "b", "c"), consumeAll(kafka.bootstrapServers(), 3));
      kafka.createTopics(FleetTopics.plan(5)); // grows jobs from 6 to 10 partitions
      try (Admin admin = kafka.admin()) {
        assertEquals(
            10,
            admin.describeTopics(List.of(Topics.JOBS)).allTopicNames().get().get(Topics.JOBS)
                .partitions().size());
      }
    } finally {
      long pid = kafka.pid();
      kafka.stop(Duration.ofSeconds(20));
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "broker gone");
    }
  }

  private static void assertTopics(KafkaBroker kafka) throws Exception {
    try (Admin admin = kafka.admin()) {
      var described =
          admin.describeTopics(List.of(Topics.JOBS, Topics.RESULTS, Topics.JOBS_DLQ, Topics.RESULTS_DLQ,
              Topics.SWEEPS)).allTopicNames().get();
      assertEquals(6, described.get(Topics.JOBS).partitions().size());
      assertEquals(1, described.get(Topics.SWEEPS).partitions().size());
      ConfigResource sweeps = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SWEEPS);
      ConfigEntry policy =
          admin.describeConfigs(List.of(sweeps)).all().get().get(sweeps).get("cleanup.policy");
      assertEquals("compact", policy.value());
    }
  }

  private static void produce(String bootstrap, List<String> values) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (String v : values) {
        producer.send(new ProducerRecord<>(Topics.RESULTS, 0, "k", v)).get();
      }
    }
  }

  private static List<String> consumeAll(String bootstrap, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      var tp = new org.apache.kafka.common.TopicPartition(Topics.RESULTS, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<String> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (got.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> got.add(r.value()));
      }
      assertTrue(got.size() >= expected, "consumed " + got);
      return got;
    }
  }

}

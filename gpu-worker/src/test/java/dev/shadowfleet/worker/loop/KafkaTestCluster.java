package dev.shadowfleet.worker.loop;

import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Apache Kafka broker (KRaft, one combined broker/controller node) in the test JVM, started once
 * and shared by the loop's tests; each test isolates itself with its own topic prefix and group. The
 * only class that touches Kafka's internal test kit, so a Kafka upgrade changes one file.
 */
final class KafkaTestCluster {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static KafkaTestCluster shared;

  private final KafkaClusterTestKit kit;
  private final Admin admin;
  private final KafkaProducer<String, byte[]> producer;

  private KafkaTestCluster() throws Exception {
    // Our own directory: without one the kit makes a temp directory that a shutdown hook of Kafka's deletes,
    // racing the hook below that closes the cluster; a broker that loses its log directory mid-close
    // halts the JVM with status 1, and surefire fails the build after every test passed.
    Path dir = Files.createTempDirectory("shadowfleet-worker-kafka");
    kit = new KafkaClusterTestKit.Builder(
            new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .setBaseDirectory(dir).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "4")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        // a joining group starts at once instead of waiting 3 s for more members
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        // the kill tests use short sessions so a dead worker's partitions move quickly
        .setConfigProp("group.min.session.timeout.ms", "1000")
        .setConfigProp("auto.create.topics.enable", "false")
        .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    admin = Admin.create(p);
    producer = new KafkaProducer<>(producerProperties(kit.bootstrapServers()));
  }

  /** The cluster of this test JVM, started on first use. */
  static synchronized KafkaTestCluster shared() throws Exception {
    if (shared == null) {
      shared = new KafkaTestCluster();
      KafkaTestCluster c = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(c::close));
    }
    return shared;
  }

  String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /** Fresh topic names for one test: jobs and results with {@code partitions}, sweeps compacted. */
  TopicNames newTopics(int partitions) throws Exception {
    TopicNames t = TopicNames.DEFAULT.prefixed("t" + NAMES.incrementAndGet() + ".");
    admin.createTopics(List.of(
        new NewTopic(t.jobs(), partitions, (short) 1),
        new NewTopic(t.results(), partitions, (short) 1),
        new NewTopic(t.dlq(), 1, (short) 1),
        new NewTopic(t.sweeps(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
        .all().get();
    return t;
  }

  /** Sets one topic config, e.g. {@code max.message.bytes}, and waits until the broker applied it. */
  void setTopicConfig(String topic, String key, String value) throws Exception {
    var resource = new org.apache.kafka.common.config.ConfigResource(
        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
    admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
        new org.apache.kafka.clients.admin.ConfigEntry(key, value),
        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
    // The controller acks once the change is in the metadata log; the broker applies it when it replays
    // the log, a moment later. Its own describe answers from what it applied, so wait for that.
    TestJobs.await(Duration.ofSeconds(30), () -> value.equals(configValue(resource, key)),
        () -> "the broker to apply " + key + "=" + value + " on " + topic);
  }

  /** A topic config's value as the broker reports it (null when unset). */
  private String configValue(org.apache.kafka.common.config.ConfigResource resource, String key) {
    try {
      var entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get(key);
      return entry == null ? null : entry.value();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted describing " + resource, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot describe " + resource, e.getCause());
    }
  }

  static String newGroup() {
    return "group-" + UUID.randomUUID();
  }

  /** Publishes and waits for the ack; returns where the record landed. */
  RecordMetadata send(String topic, String key, byte[] value) throws Exception {
    return producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  /**
   * Reads {@code topic} from the beginning until {@code until} holds for everything read so far, or
   * the timeout passes; returns what was read.
   */
  List<ConsumerRecord<String, byte[]>> read(String topic, Duration timeout,
      Predicate<List<ConsumerRecord<String, byte[]>>> until) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = c.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!until.test(out) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  /** Everything in {@code topic} now (up to the end offsets at the call). */
  List<ConsumerRecord<String, byte[]>> readToEnd(String topic) throws Exception {
    Map<TopicPartition, Long> ends = endOffsets(topic);
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    return read(topic, Duration.ofSeconds(30), l -> l.size() >= total);
  }

  Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
    var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> spec = new HashMap<>();
    description.partitions().forEach(p ->
        spec.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(spec).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /** The group's committed positions on {@code topic} (absent partitions: nothing committed). */
  Map<TopicPartition, Long> committed(String group, String topic) throws Exception {
    Map<TopicPartition, Long> out = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> all =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    all.forEach((tp, om) -> {
      if (tp.topic().equals(topic) && om != null) {
        out.put(tp, om.offset());
      }
    });
    return out;
  }

  static Properties producerProperties(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  private void close() {
    try {
      producer.close(Duration.ofSeconds(5));
      admin.close(Duration.ofSeconds(5));
      kit.close();
    } catch (Exception e) {
      // the JVM is exiting
    }
  }
}

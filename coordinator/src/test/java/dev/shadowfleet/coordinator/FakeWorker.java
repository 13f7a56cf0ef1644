package dev.shadowfleet.coordinator;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The test playing the worker: reads real job messages from the real broker and publishes real
 * result messages (or raw bytes) back, as a worker process would.
 */
final class FakeWorker implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;

  FakeWorker() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    producer = new KafkaProducer<>(p);
  }

  /** All records of {@code topic} whose value passes {@code filter}, reading until {@code expected} were seen. */
  static List<ConsumerRecord<byte[], byte[]>> read(
      String topic, Predicate<ConsumerRecord<byte[], byte[]>> filter, int expected, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (filter.test(r)) {
            out.add(r);
          }
        }
      }
      // a little longer, to see records beyond the expected count (duplicates)
      long grace = System.nanoTime() + Duration.ofMillis(500).toNanos();
      while (System.nanoTime() < grace) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          if (filter.test(r)) {
            out.add(r);
          }
        }
      }
    }
    return out;
  }

  /** The job messages of one sweep (duplicates included), waiting for at least {@code expected}. */
  static List<AttackJob> jobsOf(String sweepId, int expected) {
    String prefix = sweepId + "/";
    return read(Topics.JOBS, r -> new String(r.key(), StandardCharsets.UTF_8).startsWith(prefix), expected, Duration.ofSeconds(60))
        .stream().map(r -> MessageCodec.decodeJob(r.value())).toList();
  }

  void publish(JobResult result) {
    send(Topics.RESULTS, Topics.key(result.sweepId(), result.modelId(), result.imageIndex()), MessageCodec.encode(result));
  }

  /** A started record, as a worker sends it when a batch starts computing. */
  void publishStarted(JobsStarted started) {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.RESULTS, started.key().getBytes(StandardCharsets.UTF_8),
        MessageCodec.encode(started));
    r.headers().add(Topics.TYPE_HEADER, JobsStarted.TYPE.getBytes(StandardCharsets.UTF_8));
    producer.send(r);
  }

  void send(String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
  }

  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}

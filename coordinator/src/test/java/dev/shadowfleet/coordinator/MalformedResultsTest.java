package dev.shadowfleet.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Topics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Every kind of unreadable record on the results topic, against the real broker and database, all on
 * the partition of a good result published after them: each becomes one letter on the results DLQ
 * naming the field and the reason, with the original bytes (bounded), and the good result behind them
 * is still stored.
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class MalformedResultsTest {
  @Inject AgroalDataSource db;

  private record Case(String name, byte[] value, String field) {}

  @Test
  void everyMalformedResultGoesToTheResultsDlqAndTheResultBehindItIsStored() throws Exception {
    String sweep = Api.submit(withTarget(Api.sweep(1, Api.model(false)), 3));
    AttackJob job = FakeWorker.jobsOf(sweep, 1).get(0);
    JobResult good = Results.random(job, new Random(7), false);
    String json = MessageCodec.encodeToString(good);
    String marker = "mal-" + sweep;
    List<Case> cases = List.of(
        new Case("bad JSON", utf8("{\"schemaVersion\":1, " + marker), "$"),
        new Case("unknown schema version", utf8(json.replace("\"schemaVersion\":1", "\"schemaVersion\":99")),
            "schemaVersion"),
        new Case("missing field", utf8(json.replace("\"status\":\"DONE\",", "")), "status"),
        new Case("wrong type", utf8(json.replace("\"target\":3", "\"target\":\"three\"")), "target"),
        new Case("number out of range", utf8(json.replace("\"target\":3", "\"target\":1e400")), "target"),
        new Case("null value", null, "$"),
        new Case("not UTF-8", new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3}, "$"));
    sendAll(marker, cases, good);

    await().atMost(Duration.ofSeconds(60)).until(() -> stored(good.jobId()));
    Map<String, JobFailure> letters = letters(marker, cases.size());
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      JobFailure f = letters.get(c.name());
      if (f == null || !c.field().equals(f.field()) || f.reason().isBlank()) {
        wrong.add(c.name() + ": " + f);
      }
    }
    assertTrue(wrong.isEmpty(), "missing or wrong letters: " + wrong + " of " + letters);
    assertNull(letters.get("null value").payload());
    assertEquals("{\"schemaVersion\":1, " + marker, letters.get("bad JSON").payload());
  }

  /**
   * A malformed result of about 1 MB (the largest record the broker takes by default): its letter
   * carries a bounded payload, so it fits on the DLQ and the partition moves on.
   */
  @Test
  void aHugeMalformedResultDoesNotBlockItsPartition() throws Exception {
    String sweep = Api.submit(withTarget(Api.sweep(1, Api.model(false)), 3));
    AttackJob job = FakeWorker.jobsOf(sweep, 1).get(0);
    JobResult good = Results.random(job, new Random(8), false);
    String marker = "huge-" + sweep;
    // quotes: JSON-escaping them in the letter doubles the size, past the 1 MiB limit if copied whole
    String huge = MessageCodec.encodeToString(good).replace("{\"schemaVersion\":1,",
        "{\"schemaVersion\":1,\"junk\":\"" + "\\\"".repeat(450_000) + "\",");
    long goodOffset = sendAll(marker, List.of(new Case("huge", utf8(huge), "junk")), good);

    await().atMost(Duration.ofSeconds(60)).until(() -> stored(good.jobId()));
    // stored is not enough: the batch must also be committed, or it is replayed forever
    await().atMost(Duration.ofSeconds(30)).until(() -> committedOnPartition0() > goodOffset);
    JobFailure letter = letters(marker, 1).get("huge");
    assertEquals("junk", letter.field());
    assertTrue(letter.payload().startsWith("truncated:" + huge.length() + " bytes"), letter.payload().substring(0, 80));
  }

  private static Map<String, Object> withTarget(Map<String, Object> body, int target) {
    body.put("targets", List.of(target));
    return body;
  }

  /**
   * The cases (key = marker/case) then the good result, all on partition 0 in this order.
   *
   * @return the good result's offset
   */
  private static long sendAll(String marker, List<Case> cases, JobResult good) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 << 20));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (Case c : cases) {
        producer.send(new ProducerRecord<>(Topics.RESULTS, 0, utf8(marker + "/" + c.name()), c.value())).get();
      }
      byte[] key = utf8(Topics.key(good.sweepId(), good.modelId(), good.imageIndex()));
      return producer.send(new ProducerRecord<>(Topics.RESULTS, 0, key, MessageCodec.encode(good))).get().offset();
    }
  }

  /** The coordinator group's committed position on results partition 0 (-1: none). */
  private static long committedOnPartition0() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      OffsetAndMetadata om = admin.listConsumerGroupOffsets("shadowfleet-coordinator")
          .partitionsToOffsetAndMetadata().get().get(new TopicPartition(Topics.RESULTS, 0));
      return om == null ? -1 : om.offset();
    }
  }

  /** The letters on the results DLQ whose key starts with {@code marker}, by case name. */
  private static Map<String, JobFailure> letters(String marker, int expected) {
    Map<String, JobFailure> out = new LinkedHashMap<>();
    List<ConsumerRecord<byte[], byte[]>> records = FakeWorker.read(Topics.RESULTS_DLQ,
        r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(marker + "/"), expected,
        Duration.ofSeconds(30));
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String name = new String(r.key(), StandardCharsets.UTF_8).substring(marker.length() + 1);
      JobFailure previous = out.put(name, MessageCodec.decodeFailure(r.value()));
      assertNull(previous, "one letter per record: " + name);
    }
    return out;
  }

  private boolean stored(String jobId) {
    return Api.count(db, "SELECT count(*) FROM job_results WHERE job_id = '" + jobId + "'") == 1;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.shadowfleet.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.DeadLetterHeaders;
import dev.shadowfleet.common.message.DeadLetterPayload;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Every kind of unreadable record on the results topic, against the real broker and database, all on
 * the partition of a good result published after them: each becomes one letter on the results DLQ
 * naming the field and the reason, with the original bytes (bounded), and the good result behind them
 * is still stored. Each letter keeps the source's key and headers and says, in its own headers, where the
 * source was (topic, partition, offset), which field is to blame and why, and the source's size and hash.
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
    Map<String, Long> offsets = new LinkedHashMap<>();
    sendAll(marker, cases, good, offsets);

    await().atMost(Duration.ofSeconds(60)).until(() -> stored(good.jobId()));
    Map<String, ConsumerRecord<byte[], byte[]>> records = letterRecords(marker, cases.size());
    Map<String, JobFailure> letters = decode(records);
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

    for (Case c : cases) {
      ConsumerRecord<byte[], byte[]> r = records.get(c.name());
      JobFailure f = letters.get(c.name());
      assertEquals(marker + "/" + c.name(), new String(r.key(), StandardCharsets.UTF_8), c.name() + ": key");
      assertEquals(c.name(), header(r, TRACE_HEADER), c.name() + ": the source's own header");
      assertEquals("second", header(r, "shadowfleet-test-2"), c.name() + ": the source's second header");
      assertEquals(Topics.RESULTS + "-0@" + offsets.get(c.name()), header(r, DeadLetterHeaders.SOURCE), c.name());
      assertEquals(c.field(), header(r, DeadLetterHeaders.FIELD), c.name());
      assertEquals(f.reason(), header(r, DeadLetterHeaders.REASON), c.name());
      if (c.value() == null) {
        assertEquals("null", header(r, DeadLetterHeaders.ORIGINAL_SIZE), c.name());
        assertNull(r.headers().lastHeader(DeadLetterHeaders.ORIGINAL_SHA256), c.name());
      } else {
        assertEquals(Integer.toString(c.value().length), header(r, DeadLetterHeaders.ORIGINAL_SIZE), c.name());
        assertEquals(DeadLetterPayload.sha256(c.value()), header(r, DeadLetterHeaders.ORIGINAL_SHA256), c.name());
      }
    }
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
    Map<String, Long> offsets = new LinkedHashMap<>();
    long goodOffset = sendAll(marker, List.of(new Case("huge", utf8(huge), "junk")), good, offsets);

    await().atMost(Duration.ofSeconds(60)).until(() -> stored(good.jobId()));
    // stored is not enough: the batch must also be committed, or it is replayed forever
    await().atMost(Duration.ofSeconds(30)).until(() -> committedOnPartition0() > goodOffset);
    ConsumerRecord<byte[], byte[]> record = letterRecords(marker, 1).get("huge");
    JobFailure letter = MessageCodec.decodeFailure(record.value());
    assertEquals("junk", letter.field());
    assertTrue(letter.payload().startsWith("truncated:" + huge.length() + " bytes"), letter.payload().substring(0, 80));
    // the truncated payload is identified by the source's size and hash, and the source by its position
    assertEquals(Integer.toString(utf8(huge).length), header(record, DeadLetterHeaders.ORIGINAL_SIZE));
    assertEquals(DeadLetterPayload.sha256(utf8(huge)), header(record, DeadLetterHeaders.ORIGINAL_SHA256));
    assertEquals(Topics.RESULTS + "-0@" + offsets.get("huge"), header(record, DeadLetterHeaders.SOURCE));
  }

  private static Map<String, Object> withTarget(Map<String, Object> body, int target) {
    body.put("targets", List.of(target));
    return body;
  }

  /** A header every case record carries (value: the case's name), to be found again on its letter. */
  private static final String TRACE_HEADER = "shadowfleet-test-trace";

  /**
   * The cases (key = marker/case, headers {@link #TRACE_HEADER} and a second one) then the good result,
   * all on partition 0 in this order.
   *
   * @param offsets filled with each case's offset, by name
   * @return the good result's offset
   */
  private static long sendAll(String marker, List<Case> cases, JobResult good, Map<String, Long> offsets)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 << 20));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (Case c : cases) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.RESULTS, 0, utf8(marker + "/" + c.name()), c.value());
        r.headers().add(TRACE_HEADER, utf8(c.name()));
        r.headers().add("shadowfleet-test-2", utf8("second"));
        offsets.put(c.name(), producer.send(r).get().offset());
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

  /** The letter records on the results DLQ whose key starts with {@code marker}, by case name. */
  private static Map<String, ConsumerRecord<byte[], byte[]>> letterRecords(String marker, int expected) {
    Map<String, ConsumerRecord<byte[], byte[]>> out = new LinkedHashMap<>();
    List<ConsumerRecord<byte[], byte[]>> records = FakeWorker.read(Topics.RESULTS_DLQ,
        r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).startsWith(marker + "/"), expected,
        Duration.ofSeconds(30));
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String name = new String(r.key(), StandardCharsets.UTF_8).substring(marker.length() + 1);
      assertNull(out.put(name, r), "one letter per record: " + name);
    }
    return out;
  }

  private static Map<String, JobFailure> decode(Map<String, ConsumerRecord<byte[], byte[]>> records) {
    Map<String, JobFailure> out = new LinkedHashMap<>();
    records.forEach((name, r) -> out.put(name, MessageCodec.decodeFailure(r.value())));
    return out;
  }

  /** The last value of header {@code key} on {@code r}, as UTF-8 (fails when absent). */
  private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    assertNotNull(h, "header " + key + " on the letter");
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  private boolean stored(String jobId) {
    return Api.count(db, "SELECT count(*) FROM job_results WHERE job_id = '" + jobId + "'") == 1;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.shadowfleet.worker.loop;

import static dev.shadowfleet.worker.loop.TestJobs.await;
import static dev.shadowfleet.worker.loop.TestJobs.dedup;
import static dev.shadowfleet.worker.loop.TestJobs.image;
import static dev.shadowfleet.worker.loop.TestJobs.results;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.DeadLetterHeaders;
import dev.shadowfleet.common.message.DeadLetterPayload;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Every kind of unreadable job record on the jobs topic, against a real broker: each becomes one
 * letter on the jobs DLQ with the field, the reason, the original key, headers and bytes (bounded),
 * its offset is committed, and the job behind it on the same partition still runs.
 */
class MalformedJobsTest {
  private static final Duration WAIT = Duration.ofSeconds(45);

  /** A name per case, the bytes sent, and the field the letter must blame. */
  private record Case(String name, String key, byte[] value, String field) {}

  @Test
  void everyMalformedJobGoesToTheDlqWithItsReasonAndBytesAndTheConsumerGoesOn() throws Exception {
    KafkaTestCluster kafka = KafkaTestCluster.shared();
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    AttackJob good = image("mal", "m1", 1, List.of(2)).get(0);
    String json = MessageCodec.encodeToString(good);
    byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b, (byte) 0xc3};
    // about 1 MB: the largest value the broker takes by default, far more than a letter may hold
    String huge = json.replace("{\"schemaVersion\":1,",
        "{\"schemaVersion\":1,\"junk\":\"" + "\\\"".repeat(450_000) + "\",");
    List<Case> cases = List.of(
        new Case("bad JSON", "k", utf8("{\"schemaVersion\":1,"), "$"),
        new Case("not an object", "k", utf8("[1,2,3]"), "$"),
        new Case("unknown schema version", "k", utf8(json.replace("\"schemaVersion\":1", "\"schemaVersion\":99")),
            "schemaVersion"),
        new Case("no schema version", "k", utf8(json.replace("\"schemaVersion\":1,", "")), "schemaVersion"),
        new Case("missing text field", "k", utf8(json.replace("\"sweepId\":\"mal\",", "")), "sweepId"),
        new Case("missing number field", "k", utf8(json.replaceFirst("\"imageIndex\":1,", "")), "imageIndex"),
        new Case("wrong type", "k", utf8(json.replace("\"imageIndex\":1", "\"imageIndex\":\"one\"")), "imageIndex"),
        new Case("number too large", "k", utf8(json.replace("\"imageIndex\":1", "\"imageIndex\":1e400")),
            "imageIndex"),
        new Case("null value", "k", null, "$"),
        new Case("null key", null, utf8("nope"), "$"),
        new Case("not UTF-8", "k", notUtf8, "$"),
        new Case("huge", "k", utf8(huge), "junk"));

    Properties pp = KafkaTestCluster.producerProperties(kafka.bootstrapServers());
    pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 << 20));
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp)) {
      for (Case c : cases) {
        RecordHeaders h = new RecordHeaders();
        h.add("case", utf8(c.name()));
        producer.send(new ProducerRecord<>(t.jobs(), 0, c.key(), c.value(), h)).get();
      }
      // a valid job, 900 kB of overrides (quotes: the letter would double them), whose model fails permanently: its letter must fit too
      AttackJob bigPoison = image("mal", "corrupt-model", 3, List.of(1),
          Map.of("pad", "\"".repeat(450_000))).get(0);
      producer.send(new ProducerRecord<>(t.jobs(), 0, bigPoison.key(), MessageCodec.encode(bigPoison))).get();
      producer.send(new ProducerRecord<>(t.jobs(), 0, good.key(), MessageCodec.encode(good))).get();

      TinyProcessor processor = new TinyProcessor(5, "w");
      try (Worker worker = new Worker(AttackJobConsumerTest.configFor(kafka, t, group, "w"), processor, "cpu")
          .start()) {
        Map<String, JobResult> byId = dedup(results(kafka.read(t.results(), WAIT,
            l -> dedup(results(l)).size() >= 2)));
        assertEquals(JobStatus.DONE, byId.get(good.jobId()).status(), "the job behind them ran");
        assertEquals(JobStatus.FAILED, byId.get(bigPoison.jobId()).status());

        List<ConsumerRecord<String, byte[]>> letters = kafka.read(t.dlq(), WAIT, l -> l.size() >= cases.size() + 1);
        assertEquals(cases.size() + 1, letters.size());
        Map<String, ConsumerRecord<String, byte[]>> byCase = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : letters.subList(0, cases.size())) {
          byCase.put(header(r, "case"), r);
        }
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
          ConsumerRecord<String, byte[]> r = byCase.get(c.name());
          JobFailure f = MessageCodec.decodeFailure(r.value());
          if (!c.field().equals(f.field()) || f.reason().isBlank() || f.jobId() != null) {
            wrong.add(c.name() + ": field " + f.field() + ", reason " + f.reason());
          }
          assertEquals(c.key(), r.key(), c.name() + ": original key");
          assertEquals(c.field(), header(r, DeadLetterHeaders.FIELD), c.name());
          assertEquals(f.reason(), header(r, DeadLetterHeaders.REASON), c.name());
          assertTrue(header(r, DeadLetterHeaders.SOURCE).startsWith(t.jobs() + "-0@"), c.name());
          assertEquals(DeadLetterPayload.of(c.value()), f.payload(), c.name() + ": payload");
          assertEquals(c.value() == null ? "null" : Integer.toString(c.value().length),
              header(r, DeadLetterHeaders.ORIGINAL_SIZE), c.name());
        }
        assertTrue(wrong.isEmpty(), "letters blaming the wrong field: " + wrong);
        // the bytes come back exactly where the letter could hold them
        assertEquals("{\"schemaVersion\":1,", MessageCodec.decodeFailure(byCase.get("bad JSON").value()).payload());
        assertNull(MessageCodec.decodeFailure(byCase.get("null value").value()).payload());
        String b64 = MessageCodec.decodeFailure(byCase.get("not UTF-8").value()).payload();
        assertArrayEquals(notUtf8, Base64.getDecoder().decode(b64.substring("base64:".length())));
        String truncated = MessageCodec.decodeFailure(byCase.get("huge").value()).payload();
        assertTrue(truncated.startsWith("truncated:" + huge.length() + " bytes, sha256 "
            + DeadLetterPayload.sha256(utf8(huge)) + ":{\"schemaVersion\":1"), truncated.substring(0, 120));
        assertEquals(DeadLetterPayload.sha256(utf8(huge)),
            header(byCase.get("huge"), DeadLetterHeaders.ORIGINAL_SHA256));

        JobFailure poisonLetter = MessageCodec.decodeFailure(letters.get(cases.size()).value());
        assertEquals(bigPoison.jobId(), poisonLetter.jobId());
        assertEquals("modelSha256", poisonLetter.field());
        assertTrue(poisonLetter.payload().startsWith("truncated:"), "the 900 kB job is cut, not refused");

        long end = kafka.endOffsets(t.jobs()).get(new TopicPartition(t.jobs(), 0));
        await(WAIT, () -> committed(kafka, group, t) == end, () -> "offsets committed through " + end);
        assertTrue(worker.isReady(), "the consumer still runs");
        assertEquals(cases.size() + 1, worker.metrics().dlq());
      }
    }
  }

  private static long committed(KafkaTestCluster kafka, String group, TopicNames t) {
    try {
      return kafka.committed(group, t.jobs()).getOrDefault(new TopicPartition(t.jobs(), 0), -1L);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String header(ConsumerRecord<String, byte[]> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.shadowfleet.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  static AttackJob job() {
    return new AttackJob(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s1", "m1", 7, 3), "s1", "m1",
        "ab".repeat(32), "fashion-mnist:test", 7, 3, List.of(0, 1, 3, 9), "quick",
        Map.of("steps", 50, "lambdaTv", 0.25), SmoothingParams.PAPER, null, 42L, 1, 5);
  }

  static JobResult doneResult() {
    Certificate natural = new Certificate(7, true, 0.31, 0.62, 9_000, 10_000, null, "rs");
    Certificate attack = new Certificate(3, true, 0.12, 0.55, 5_500, 10_000, null, "rs");
    Provenance p = new Provenance(AttackPreset.QUICK.params().withSeed(42), SmoothingParams.PAPER,
        null, 42L, 43L, "ab".repeat(32), "cpu", Map.of("djl", "0.36.0", "java", "17"));
    return new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s1", "m1", 7, 3), "s1", "m1", 7,
        3, 1, "worker-a", JobStatus.DONE, 7, natural, attack, true, true, 0.5, 1.5, 0.25, null, 2.0,
        0.4, 20, 1234L, 1.2, p, new JobResult.ResultImages("aGk=", null, "aGk="), null);
  }

  static Stream<Arguments> messages() {
    AttackJob ibpJob = new AttackJob(MessageCodec.SCHEMA_VERSION, "s/m/0/1", "s", "m", null,
        "cifar10:test", 0, 1, List.of(1), "paper-ibp", null, null,
        new IbpParams(2.0 / 255, BoundMethod.CROWN_IBP, 0.5), 1L, 3, 0);
    return Stream.of(
        Arguments.of(job()),
        Arguments.of(ibpJob),
        Arguments.of(doneResult()),
        Arguments.of(JobResult.failed(job(), "worker-a", "imageIndex", "out of range", 12L)),
        Arguments.of(JobResult.cancelled(job(), "worker-b")),
        Arguments.of(JobResult.skippedAbstain(job(), "worker-c", 7,
            new Certificate(Certificate.ABSTAIN, false, 0.0, 0.41, 4_100, 10_000, null, "rs"), 12L, 0.5,
            doneResult().provenance())),
        Arguments.of(new JobFailure(MessageCodec.SCHEMA_VERSION, "s1/m1/7/3", 2, "worker-a", "target",
            "`target` 7 equals the label", "{\"x\":1}", Instant.parse("2025-01-02T03:04:05.678Z"))),
        Arguments.of(new JobFailure(MessageCodec.SCHEMA_VERSION, null, 0, "worker-a", null,
            "not JSON", "{", Instant.parse("2025-01-02T03:04:05Z"))),
        Arguments.of(new SweepControl(MessageCodec.SCHEMA_VERSION, "s1", true)));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageSurvivesARoundTrip(Object message) {
    byte[] bytes = MessageCodec.encode(message);
    Object back = MessageCodec.decode(bytes, message.getClass());
    assertEquals(message, back);
    // and the bytes are stable: encoding the decoded message gives the same text
    assertEquals(MessageCodec.encodeToString(message), MessageCodec.encodeToString(back));
  }

  @Test
  void theTypedShortcutsDecodeTheirRecord() {
    assertEquals(job(), MessageCodec.decodeJob(MessageCodec.encode(job())));
    assertEquals(doneResult(), MessageCodec.decodeResult(MessageCodec.encode(doneResult())));
  }

  @Test
  void overridesKeepTheirJsonTypes() {
    AttackJob back = MessageCodec.decodeJob(MessageCodec.encode(job()));
    assertEquals(50, back.overrides().get("steps"));
    assertEquals(0.25, back.overrides().get("lambdaTv"));
    assertEquals(AttackPreset.QUICK.params().withSeed(0).steps(), 20);
  }

  @Test
  void anUnknownSchemaVersionIsRefusedBeforeAnythingElse() {
    ObjectNode tree = tree(job());
    tree.put("schemaVersion", 2);
    tree.remove("jobId"); // would also be wrong; the version is what is reported
    MessageException e = assertThrows(MessageException.class, () -> decode(tree, AttackJob.class));
    assertEquals("schemaVersion", e.field());
    assertTrue(e.getMessage().contains("2"), e.getMessage());
  }

  @Test
  void aMissingSchemaVersionIsRefused() {
    ObjectNode tree = tree(job());
    tree.remove("schemaVersion");
    assertEquals("schemaVersion", assertThrows(MessageException.class, () -> decode(tree, AttackJob.class)).field());
  }

  static Stream<Arguments> missingFields() {
    return Stream.of(
        Arguments.of(AttackJob.class, "jobId"),
        Arguments.of(AttackJob.class, "sweepId"),
        Arguments.of(AttackJob.class, "imageTargets"),
        Arguments.of(AttackJob.class, "imageIndex"),
        Arguments.of(AttackJob.class, "attempt"),
        Arguments.of(JobResult.class, "status"),
        Arguments.of(JobResult.class, "workerId"),
        Arguments.of(JobResult.class, "natural"),
        Arguments.of(JobResult.class, "target"),
        Arguments.of(SweepControl.class, "sweepId"),
        Arguments.of(SweepControl.class, "cancelled"),
        Arguments.of(JobFailure.class, "reason"));
  }

  @ParameterizedTest
  @MethodSource("missingFields")
  void aMissingFieldIsNamed(Class<?> type, String field) {
    ObjectNode tree = tree(sampleOf(type));
    tree.remove(field);
    MessageException e = assertThrows(MessageException.class, () -> decode(tree, type));
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void aWrongTypeIsNamed() {
    ObjectNode tree = tree(job());
    tree.put("imageIndex", "seven");
    MessageException e = assertThrows(MessageException.class, () -> decode(tree, AttackJob.class));
    assertEquals("imageIndex", e.field(), e.getMessage());

    ObjectNode result = tree(doneResult());
    result.put("status", "EXPLODED");
    assertEquals("status", assertThrows(MessageException.class, () -> decode(result, JobResult.class)).field());

    ObjectNode nested = tree(doneResult());
    ((ObjectNode) nested.get("natural")).put("radius", "far");
    assertEquals("natural.radius",
        assertThrows(MessageException.class, () -> decode(nested, JobResult.class)).field());
  }

  @Test
  void anInvalidValueIsNamedWithTheRecordsRule() {
    ObjectNode tree = tree(job());
    tree.put("attempt", 0);
    MessageException e = assertThrows(MessageException.class, () -> decode(tree, AttackJob.class));
    assertEquals("attempt", e.field());
    assertTrue(e.getMessage().contains("≥ 1"), e.getMessage());

    ObjectNode smoothing = tree(job());
    ((ObjectNode) smoothing.get("smoothing")).put("alpha", 2.0);
    assertEquals("alpha", assertThrows(MessageException.class, () -> decode(smoothing, AttackJob.class)).field());

    ObjectNode failed = tree(JobResult.failed(job(), "w", null, "boom", 1L));
    failed.remove("failureReason");
    assertEquals("failureReason",
        assertThrows(MessageException.class, () -> decode(failed, JobResult.class)).field());
  }

  @Test
  void anUnknownFieldIsNamed() {
    ObjectNode tree = tree(job());
    tree.put("colour", "red");
    assertEquals("colour", assertThrows(MessageException.class, () -> decode(tree, AttackJob.class)).field());
  }

  @Test
  void badJsonIsReportedOnTheWholeMessage() {
    for (String text : List.of("{", "not json", "[1,2]", "42", "", "{\"schemaVersion\":1,}")) {
      MessageException e = assertThrows(MessageException.class,
          () -> MessageCodec.decodeJob(text.getBytes(StandardCharsets.UTF_8)), text);
      assertTrue(e.field().equals("$") || e.field().equals("schemaVersion"), text + " → " + e.field());
    }
    assertEquals("$", assertThrows(MessageException.class, () -> MessageCodec.decodeJob(null)).field());
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
    assertThrows(MessageException.class, () -> MessageCodec.decodeJob(binary));
  }

  private static Object sampleOf(Class<?> type) {
    if (type == AttackJob.class) {
      return job();
    }
    if (type == JobResult.class) {
      return doneResult();
    }
    if (type == SweepControl.class) {
      return new SweepControl(MessageCodec.SCHEMA_VERSION, "s1", true);
    }
    return new JobFailure(MessageCodec.SCHEMA_VERSION, "j", 1, "w", null, "why", "{}", Instant.EPOCH);
  }

  private static ObjectNode tree(Object message) {
    try {
      return (ObjectNode) PLAIN.readTree(MessageCodec.encode(message));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T decode(ObjectNode tree, Class<T> type) {
    return MessageCodec.decode(tree.toString().getBytes(StandardCharsets.UTF_8), type);
  }
}

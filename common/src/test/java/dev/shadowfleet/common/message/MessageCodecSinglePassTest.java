package dev.shadowfleet.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.BoundMethod;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The single-pass decode against the reference (tree) decode on a varied corpus: every well-formed
 * message, and thousands of mutations of them (fields removed, nulled, retyped, out of range, renamed,
 * duplicated; schema versions; broken text). {@link MessageCodec#decode} must give exactly what the
 * reference path gives (the same record, or a refusal naming the same field with the same reason), and
 * the single pass, where it accepts, the same record as the reference path.
 */
class MessageCodecSinglePassTest {
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** What one decode did: the record, or the refusal's field and reason. */
  private record Outcome(Object value, String field, String reason) {}

  private static <T> Outcome reference(byte[] bytes, Class<T> type) {
    try {
      return new Outcome(MessageCodec.decodeReference(bytes, type), null, null);
    } catch (MessageException e) {
      return new Outcome(null, e.field(), e.getMessage());
    }
  }

  private static <T> Outcome current(byte[] bytes, Class<T> type) {
    try {
      return new Outcome(MessageCodec.decode(bytes, type), null, null);
    } catch (MessageException e) {
      return new Outcome(null, e.field(), e.getMessage());
    }
  }

  static List<Object> wellFormed() {
    AttackJob job = MessageCodecTest.job();
    Certificate rs = new Certificate(7, true, 0.31, 0.62, 9_000, 10_000, null, "rs");
    Certificate abstain = new Certificate(Certificate.ABSTAIN, false, 0.0, 0.41, 4_100, 10_000, null, "rs-screening");
    Certificate ibp = new Certificate(2, true, 2.0 / 255, null, null, null, 0.0123, "crown-ibp");
    Provenance rsProv = new Provenance(AttackPreset.PAPER_RS.params().withSeed(7), SmoothingParams.PAPER, null,
        7L, -8L, "cd".repeat(32), "gpu(0) NVIDIA H100", Map.of("shadowfleet", "0.1.0", "java", "17"));
    Provenance ibpProv = new Provenance(AttackPreset.PAPER_IBP.params(), null,
        new IbpParams(2.0 / 255, BoundMethod.CROWN_IBP, 0.5), Long.MAX_VALUE, Long.MIN_VALUE, null, "cpu", null);
    List<Object> out = new ArrayList<>();
    out.add(job);
    out.add(new AttackJob(MessageCodec.SCHEMA_VERSION, "s/m/0/1", "s", "m", null, "cifar10:test", 0, 1, List.of(1),
        "paper-ibp", Map.of("epsilon", 0.01, "steps", 3, "init", "zero"), null,
        new IbpParams(null, BoundMethod.IBP, 0.0), 1L, 3, -2));
    out.add(MessageCodecTest.doneResult());
    out.add(new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s", "m", 3, 1), "s", "m", 3, 1, 2, "w", JobStatus.DONE, 2,
        ibp, ibp, false, false, -0.0, 0.0, 1e-300, 1e300, 5e-324, Double.MAX_VALUE, 0, Long.MAX_VALUE, 0.0, ibpProv, null, null));
    out.add(new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s", "m", 3, 1), "s", "m", 3, 1, 1, "wörker ☃ \"q\"\t\\",
        JobStatus.SKIPPED_ABSTAIN, 4, abstain, null, false, false, null, null, null, null, null, null, 0, 12L, 0.5,
        rsProv, null, null));
    out.add(new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s", "m", 3, 1), "s", "m", 3, 1, 1, "w",
        JobStatus.DONE, 4, rs, abstain, false, true, 0.5, 1.5, 0.25, 0.125, 2.0, 0.4, 300, 1234L, 1.2, rsProv,
        new JobResult.ResultImages("aGk=", "aGk=", "aGk="), null));
    out.add(JobResult.skippedLabel(job, "w", 3));
    out.add(JobResult.cancelled(job, "w"));
    out.add(JobResult.failed(job, "w", "imageIndex", "out of range", 12L));
    out.add(new JobFailure(MessageCodec.SCHEMA_VERSION, "s1/m1/7/3", 2, "worker-a", "target", "`target` 7 equals the label",
        "{\"x\":1}", Instant.parse("2025-01-02T03:04:05.678Z")));
    out.add(new JobFailure(MessageCodec.SCHEMA_VERSION, null, 0, "w", null, "not JSON", "{", null));
    out.add(new JobsStarted(MessageCodec.SCHEMA_VERSION, "s", "m", 3, List.of("s/m/3/1", "s/m/3/2"), 1, "w",
        Instant.parse("2026-11-26T01:02:03Z")));
    out.add(new SweepControl(MessageCodec.SCHEMA_VERSION, "s1", true));
    return out;
  }

  @Test
  void wellFormedMessagesTakeTheSinglePassAndDecodeAsTheReferenceDoes() {
    for (Object m : wellFormed()) {
      byte[] bytes = MessageCodec.encode(m);
      Object fast = MessageCodec.decodeSinglePass(bytes, m.getClass());
      assertNotNull(fast, "the single pass refused a well-formed " + new String(bytes, StandardCharsets.UTF_8));
      assertEquals(m, fast);
      assertEquals(reference(bytes, m.getClass()), new Outcome(fast, null, null));
      assertEquals(MessageCodec.encodeToString(m), MessageCodec.encodeToString(fast));
    }
  }

  @Test
  void mutatedMessagesDecodeAsTheReferenceDoes() {
    Random rnd = new Random(20261126);
    int cases = 0;
    int refusals = 0;
    int fastAccepted = 0;
    for (Object m : wellFormed()) {
      Class<?> type = m.getClass();
      ObjectNode base = tree(m);
      List<String> inputs = new ArrayList<>();
      for (List<String> path : paths(base, List.of())) {
        for (int op = 0; op < MUTATIONS; op++) {
          ObjectNode copy = base.deepCopy();
          ObjectNode parent = parentOf(copy, path);
          mutate(parent, path.get(path.size() - 1), op, rnd);
          inputs.add(copy.toString());
        }
      }
      String text = base.toString();
      for (int i = 0; i < 40; i++) {
        inputs.add(text.substring(0, rnd.nextInt(text.length()))); // truncated
      }
      inputs.add(text.replaceFirst("\\{", "{\"jobId\":\"dup\",")); // duplicate key (first of two)
      inputs.add(text.substring(0, text.length() - 1) + ",\"jobId\":\"dup\"}"); // duplicate key (last of two)
      inputs.add(text + " ");
      inputs.add(text + " {}");
      inputs.add(text + " x");
      inputs.add("[" + text + "]");
      inputs.addAll(List.of("", " ", "null", "true", "1", "\"s\"", "{}", "[]", "{\"schemaVersion\":1}", "{\"schemaVersion\":\"1\"}",
          "{\"schemaVersion\":1.0}", "{\"schemaVersion\":null}", "{", "not json", "{\"schemaVersion\":1,}"));
      for (String input : inputs) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        Outcome ref = reference(bytes, type);
        assertEquals(ref, current(bytes, type), input);
        Object fast = MessageCodec.decodeSinglePass(bytes, type);
        if (fast != null) {
          assertEquals(ref.value(), fast, "single pass accepted what the reference reads otherwise: " + input);
          fastAccepted++;
        }
        refusals += ref.value() == null ? 1 : 0;
        cases++;
      }
      assertEquals(reference(null, type), current(null, type));
    }
    // the corpus exercises both sides: many refusals, and mutated messages that are still valid
    assertTrue(cases > 2_000, "cases " + cases);
    assertTrue(refusals > cases / 3, "refusals " + refusals + " of " + cases);
    assertTrue(fastAccepted > 100, "accepted by the single pass " + fastAccepted);
  }

  @Test
  void lenientFormsTheReferenceAcceptsStillDecode() {
    // a number as a string, a whole float as an int: the single pass refuses them, the reference accepts them
    ObjectNode t = tree(MessageCodecTest.doneResult());
    t.put("imageIndex", "7");
    t.put("steps", 20.0);
    byte[] bytes = t.toString().getBytes(StandardCharsets.UTF_8);
    assertEquals(null, MessageCodec.decodeSinglePass(bytes, JobResult.class));
    assertEquals(MessageCodecTest.doneResult(), MessageCodec.decodeResult(bytes));
  }

  @Test
  void refusalsNameTheSameFieldAsBefore() {
    ObjectNode nested = tree(MessageCodecTest.doneResult());
    ((ObjectNode) nested.get("natural")).remove("label");
    assertEquals("natural.label", current(nested.toString().getBytes(StandardCharsets.UTF_8), JobResult.class).field());
    ObjectNode deep = tree(MessageCodecTest.doneResult());
    ((ObjectNode) deep.get("provenance").get("attack")).put("steps", 0);
    assertEquals("steps", current(deep.toString().getBytes(StandardCharsets.UTF_8), JobResult.class).field());
  }

  private static final int MUTATIONS = 14;

  private static void mutate(ObjectNode parent, String field, int op, Random rnd) {
    JsonNode old = parent.get(field);
    switch (op) {
      case 0 -> parent.remove(field);
      case 1 -> parent.putNull(field);
      case 2 -> parent.put(field, old.isValueNode() ? old.asText() : "x"); // the value as a string
      case 3 -> parent.put(field, "");
      case 4 -> parent.put(field, 1.5);
      case 5 -> parent.put(field, -1);
      case 6 -> parent.put(field, 1L << 40);
      case 7 -> parent.put(field, rnd.nextBoolean());
      case 8 -> parent.set(field, F.arrayNode().add(1));
      case 9 -> parent.set(field, F.objectNode());
      case 10 -> parent.put(field + "X", 1); // an unknown field next to it
      case 11 -> parent.put(field, old.isNumber() ? old.asDouble() : 2.0); // an int written as a float
      case 12 -> parent.put(field, rnd.nextInt(5) - 1);
      case 13 -> parent.put(field, old.isNumber() ? old.asDouble() * 1e300 : Double.NaN);
      default -> throw new IllegalArgumentException("op " + op);
    }
  }

  /** Every object field's path, nested objects included. */
  private static List<List<String>> paths(JsonNode node, List<String> prefix) {
    List<List<String>> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(name -> {
      List<String> p = new ArrayList<>(prefix);
      p.add(name);
      out.add(p);
      JsonNode child = node.get(name);
      if (child.isObject()) {
        out.addAll(paths(child, p));
      }
    });
    return out;
  }

  private static ObjectNode parentOf(ObjectNode root, List<String> path) {
    JsonNode n = root;
    for (int i = 0; i < path.size() - 1; i++) {
      n = n.get(path.get(i));
    }
    return (ObjectNode) n;
  }

  private static ObjectNode tree(Object message) {
    try {
      return (ObjectNode) PLAIN.readTree(MessageCodec.encode(message));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

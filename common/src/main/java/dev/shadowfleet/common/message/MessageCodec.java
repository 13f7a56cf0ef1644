package dev.shadowfleet.common.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.shadowfleet.common.config.ParameterException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;

/** JSON codec of the messages, with an explicit schema version. Decoding never throws anything else than {@link MessageException}. */
public final class MessageCodec {
  /** The schema this build writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  // Not FAIL_ON_MISSING_CREATOR_PROPERTIES: the records leave null optional fields out of the JSON
  // (NON_NULL), so an absent reference field means null and the record's own validation refuses a
  // required one; absent primitives (which would silently become 0/false) are refused by
  // requirePrimitives.

  private MessageCodec() {}

  public static byte[] encode(Object message) {
    try {
      return MAPPER.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  public static String encodeToString(Object message) {
    return new String(encode(message), StandardCharsets.UTF_8);
  }

  public static AttackJob decodeJob(byte[] bytes) {
    return decode(bytes, AttackJob.class);
  }

  public static JobResult decodeResult(byte[] bytes) {
    return decode(bytes, JobResult.class);
  }

  public static JobsStarted decodeStarted(byte[] bytes) {
    return decode(bytes, JobsStarted.class);
  }

  public static JobFailure decodeFailure(byte[] bytes) {
    return decode(bytes, JobFailure.class);
  }

  /**
   * Reads one message of {@code type}, checking the schema version first.
   *
   * @throws MessageException naming the field and the reason (bad JSON: field {@code "$"})
   */
  public static <T> T decode(byte[] bytes, Class<T> type) {
    if (bytes == null) {
      throw new MessageException("$", "empty message (null payload)");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (Exception e) {
      throw new MessageException("$", "not JSON: " + firstLine(e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      throw new MessageException("$", "a JSON object is expected");
    }
    JsonNode version = tree.get("schemaVersion");
    if (version == null || !version.canConvertToInt()) {
      throw new MessageException("schemaVersion", "`schemaVersion` is required (an integer)");
    }
    if (version.asInt() != SCHEMA_VERSION) {
      throw new MessageException(
          "schemaVersion",
          "`schemaVersion` " + version.asInt() + " is not supported (this build reads " + SCHEMA_VERSION + ")");
    }
    requirePrimitives(tree, type, "");
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (Exception e) {
      throw translate(e);
    }
  }

  /** Record components per class: {@code getRecordComponents()} is slow (it copies), and decoding is hot. */
  private static final ClassValue<RecordComponent[]> COMPONENTS =
      new ClassValue<>() {
        @Override
        protected RecordComponent[] computeValue(Class<?> type) {
          return type.getRecordComponents();
        }
      };

  /** Refuses an absent primitive component of {@code type} (recursing into nested records). */
  private static void requirePrimitives(JsonNode node, Class<?> type, String prefix) {
    if (!type.isRecord() || node == null || !node.isObject()) {
      return;
    }
    for (RecordComponent c : COMPONENTS.get(type)) {
      String field = prefix + c.getName();
      JsonNode value = node.get(c.getName());
      if (c.getType().isPrimitive() && value == null) {
        throw new MessageException(field, "`" + field + "` is required");
      }
      requirePrimitives(value, c.getType(), field + ".");
    }
  }

  private static MessageException translate(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof MessageException me) {
        return me;
      }
      if (c instanceof ParameterException pe) {
        return new MessageException(pe.field(), pe.getMessage());
      }
      if (c instanceof UnrecognizedPropertyException u) {
        return new MessageException(u.getPropertyName(), "`" + u.getPropertyName() + "` is not a known field");
      }
      if (c instanceof InvalidFormatException f) {
        String field = path(f);
        return new MessageException(field, "`" + field + "` has an invalid value: " + f.getValue());
      }
      if (c instanceof MismatchedInputException m) {
        String field = path(m);
        return new MessageException(field, "`" + field + "` is missing or has the wrong type");
      }
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) { // e.g. a number out of range
      String field = path(m);
      return new MessageException(field, "`" + field + "` has an invalid value: " + firstLine(m.getOriginalMessage()));
    }
    return new MessageException("$", "invalid message: " + firstLine(e.getMessage()));
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "$" : sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

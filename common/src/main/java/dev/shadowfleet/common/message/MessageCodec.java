package dev.shadowfleet.common.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.shadowfleet.common.config.ParameterException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;

/**
 * JSON codec of the messages, with an explicit schema version. Decoding never throws anything else than
 * {@link MessageException}.
 *
 * <p>Decoding has two paths with one meaning. The reference path reads a tree, checks the schema version
 * and the presence of every primitive component, then binds the tree: it is the one that decides what a
 * message means and, for a message it refuses, which field to name. The single pass binds the bytes
 * straight into the records with a stricter mapper (every primitive creator property required, no scalar
 * coercion, no float as int, no duplicate keys, no trailing tokens, then the schema version checked on the
 * result): whatever it accepts the reference path accepts as the same record, and whatever it refuses goes
 * to the reference path, which accepts the lenient forms (a number as a string) or names the field. A
 * well-formed message (the hot case: the coordinator decodes every result) is parsed once, without a tree.
 */
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

  /**
   * The single pass's mapper: {@link #MAPPER}'s settings, stricter (see the class comment). A primitive
   * creator property is required (Jackson then refuses a record whose primitive component is absent,
   * as the reference path's {@code requirePrimitives} does); nothing it accepts is read differently.
   */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .annotationIntrospector(AnnotationIntrospector.pair(new PrimitivesRequired(), new JacksonAnnotationIntrospector()))
          .build();

  /** Marks every primitive property as required (the others are left to Jackson's annotations). */
  private static final class PrimitivesRequired extends NopAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasRequiredMarker(AnnotatedMember m) {
      return m.getRawType().isPrimitive() ? Boolean.TRUE : null;
    }
  }

  /** A reader per message type for the single pass, and the accessor of its schema version (null: none). */
  private static final ClassValue<ObjectReader> STRICT_READERS =
      new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
          return STRICT.readerFor(type);
        }
      };

  private static final ClassValue<java.lang.reflect.Method> VERSION_ACCESSORS =
      new ClassValue<>() {
        @Override
        protected java.lang.reflect.Method computeValue(Class<?> type) {
          if (!type.isRecord()) {
            return null;
          }
          for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals("schemaVersion") && c.getType() == int.class) {
              return c.getAccessor();
            }
          }
          return null;
        }
      };

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
    T value = decodeSinglePass(bytes, type);
    return value != null ? value : decodeReference(bytes, type);
  }

  /**
   * The single pass: the message when the strict mapper accepts it and its schema version is this
   * build's; null otherwise (never an exception), and the caller falls back to {@link #decodeReference}.
   */
  static <T> T decodeSinglePass(byte[] bytes, Class<T> type) {
    java.lang.reflect.Method version = VERSION_ACCESSORS.get(type);
    if (bytes == null || version == null) {
      return null;
    }
    try {
      T value = STRICT_READERS.get(type).readValue(bytes);
      return value != null && (int) version.invoke(value) == SCHEMA_VERSION ? value : null;
    } catch (Exception | StackOverflowError e) {
      return null;
    }
  }

  /**
   * The reference path: tree, schema version, primitives, bind. Defines what a message means and which
   * field a refusal names.
   *
   * @throws MessageException naming the field and the reason (bad JSON: field {@code "$"})
   */
  static <T> T decodeReference(byte[] bytes, Class<T> type) {
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

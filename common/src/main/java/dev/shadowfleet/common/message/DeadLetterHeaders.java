package dev.shadowfleet.common.message;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A DLQ record for a source record: the source's own headers (when they are small enough to fit)
 * and headers saying where it came from and why it is here, so an operator can find, filter and
 * replay letters without decoding them. Used for both DLQs: the workers' {@link Topics#JOBS_DLQ} and the
 * coordinator's {@link Topics#RESULTS_DLQ}, so one set of header names serves every letter.
 */
public final class DeadLetterHeaders {
  /** Where the source record was: {@code topic-partition@offset}. */
  public static final String SOURCE = "shadowfleet.dlq.source";
  /** The field to blame ({@code $}: the message as a whole). */
  public static final String FIELD = "shadowfleet.dlq.field";
  public static final String REASON = "shadowfleet.dlq.reason";
  /** Size in bytes and SHA-256 of the source value (the letter's payload may be truncated). */
  public static final String ORIGINAL_SIZE = "shadowfleet.dlq.original-size";
  public static final String ORIGINAL_SHA256 = "shadowfleet.dlq.original-sha256";
  /** Set when the source's headers were too large to copy. */
  public static final String HEADERS_DROPPED = "shadowfleet.dlq.headers-dropped";

  /** Source headers are copied up to this many bytes in all (the letter must fit on its topic). */
  public static final int MAX_COPIED_HEADER_BYTES = 64 * 1024;
  private static final int MAX_REASON_CHARS = 1_000;

  private DeadLetterHeaders() {}

  /**
   * The letter for {@code source} on {@code dlqTopic}: key {@code key} (the source's own, for the same
   * partitioning), value {@code value} (an encoded {@link JobFailure}), the source's headers and the
   * headers above ({@code field} null: {@code $}).
   */
  public static <K> ProducerRecord<K, byte[]> letter(String dlqTopic, K key,
      ConsumerRecord<?, byte[]> source, byte[] value, String field, String reason) {
    RecordHeaders headers = new RecordHeaders();
    int size = 0;
    for (Header h : source.headers()) {
      size += h.key().length() + (h.value() == null ? 0 : h.value().length);
    }
    if (size <= MAX_COPIED_HEADER_BYTES) {
      source.headers().forEach(headers::add);
    } else {
      put(headers, HEADERS_DROPPED, size + " bytes of headers not copied");
    }
    put(headers, SOURCE, source.topic() + "-" + source.partition() + "@" + source.offset());
    put(headers, FIELD, field == null ? "$" : field);
    put(headers, REASON, reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS));
    byte[] original = source.value();
    put(headers, ORIGINAL_SIZE, original == null ? "null" : Integer.toString(original.length));
    if (original != null) {
      put(headers, ORIGINAL_SHA256, DeadLetterPayload.sha256(original));
    }
    return new ProducerRecord<>(dlqTopic, null, key, value, headers);
  }

  private static void put(RecordHeaders headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}

package dev.shadowfleet.common.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The original bytes of a message as the {@code payload} of a {@link JobFailure}, bounded so the
 * dead letter always fits on its topic: a record the broker refuses would be retried forever and
 * block the partition behind it.
 *
 * <ul>
 *   <li>valid UTF-8 up to {@link #MAX_CHARS} characters: the text itself (replayable as is);
 *   <li>other bytes up to {@link #MAX_CHARS} base64 characters: {@code base64:<the bytes>};
 *   <li>anything longer: {@code truncated:<size> bytes, sha256 <hex>:} and the first part (the size and
 *       hash identify the original, which is still on the source topic until its retention ends).
 * </ul>
 */
public final class DeadLetterPayload {
  /**
   * 128 Ki characters: even if JSON escaping makes every one six bytes ({@code \u0000}), the letter
   * stays under Kafka's default 1 MiB record limit with room for the other fields and headers.
   */
  public static final int MAX_CHARS = 128 * 1024;

  private DeadLetterPayload() {}

  /** The payload text of {@code bytes}; null for a null (tombstone) value. */
  public static String of(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    String text = utf8(bytes);
    if (text != null && text.length() <= MAX_CHARS) {
      return text;
    }
    if (text == null && base64Length(bytes.length) <= MAX_CHARS) {
      return "base64:" + Base64.getEncoder().encodeToString(bytes);
    }
    String head = text != null
        ? text.substring(0, MAX_CHARS / 2)
        : "base64:" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes, MAX_CHARS / 4));
    return "truncated:" + bytes.length + " bytes, sha256 " + sha256(bytes) + ":" + head;
  }

  /** Hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static int base64Length(int bytes) {
    return 4 * ((bytes + 2) / 3);
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}

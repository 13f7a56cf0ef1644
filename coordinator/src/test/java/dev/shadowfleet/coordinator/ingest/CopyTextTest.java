package dev.shadowfleet.coordinator.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Columns.CopyText}, the byte encoder of COPY rows, against the straightforward encoding (Java's
 * text of each value, COPY's escapes applied per character, then UTF-8) on varied values.
 */
class CopyTextTest {
  /** The reference: what the rows were before they were encoded as bytes. */
  private static String reference(Object v) {
    if (v == null) {
      return "\\N";
    }
    if (v instanceof Boolean b) {
      return b ? "t" : "f";
    }
    String s = v instanceof byte[] utf8 ? new String(utf8, StandardCharsets.UTF_8) : v.toString();
    if (!(v instanceof String) && !(v instanceof byte[])) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String encoded(List<Object> values, int capacity) {
    Columns.CopyText out = new Columns.CopyText(capacity);
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.put('\t');
      }
      out.value(values.get(i));
    }
    return new String(Arrays.copyOf(out.bytes(), out.length()), StandardCharsets.UTF_8);
  }

  @Test
  void everyKindOfValueIsEncodedAsTheReferenceDoes() {
    List<Object> values = new ArrayList<>(List.of(
        0, 7, -1, 10, Integer.MAX_VALUE, Integer.MIN_VALUE, 0L, -10L, Long.MAX_VALUE, Long.MIN_VALUE,
        0.0, -0.0, 1e-5, 0.1, 1.0E300, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, true, false,
        "", "plain", "a\\b\tc\nd\re", "\\N", "wörker ☃ 𝄞 \t\\", "{\"x\":\"a\\\"b\"}",
        "{\n  \"pretty\": \"json\\\\n\"\t}".getBytes(StandardCharsets.UTF_8),
        "ünïcödé ☃ 𝄞 \\ \r\n".getBytes(StandardCharsets.UTF_8), new byte[0]));
    values.add(null);
    Random rnd = new Random(5);
    String alphabet = "ab\\\t\n\r{}\"é☃𝄞 ";
    for (int i = 0; i < 500; i++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(40);
      for (int k = 0; k < n; k++) {
        sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, rnd.nextInt(alphabet.codePointCount(0, alphabet.length())))));
      }
      values.add(rnd.nextBoolean() ? sb.toString() : sb.toString().getBytes(StandardCharsets.UTF_8));
      values.add(rnd.nextLong() >> rnd.nextInt(64));
      values.add(rnd.nextInt() >> rnd.nextInt(32));
      values.add(rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20));
    }
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      expected.append(i > 0 ? "\t" : "").append(reference(values.get(i)));
    }
    // a buffer of 1 byte grows through every path; a large one never grows
    assertEquals(expected.toString(), encoded(values, 1));
    assertEquals(expected.toString(), encoded(values, 1 << 20));
  }
}

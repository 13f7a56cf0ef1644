package dev.shadowfleet.coordinator.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.postgresql.copy.CopyIn;

/**
 * Multi-row writes of a list of rows, two ways: {@code INSERT … SELECT … FROM unnest(?::type[], …)} (one
 * array parameter per column: one statement, one round trip; for small batches), or {@code COPY} straight
 * into the table (large batches: COPY's text rows cost the server far less to read than array literals of
 * quoted JSON, and it inserts them into the heap several at a time). JSON columns travel as text and are
 * cast to json (given as a String, or as UTF-8 bytes that COPY sends unchanged; COPY's input of a json
 * column checks the same syntax), bytea columns as hex.
 */
final class Columns<T> {
  private record Column<T>(String name, String arrayType, String select, Function<T, Object> value) {}

  private final List<Column<T>> columns = new ArrayList<>();

  Columns<T> text(String name, Function<T, String> f) {
    return add(name, "text", name, f::apply);
  }

  Columns<T> int4(String name, Function<T, Integer> f) {
    return add(name, "int4", name, f::apply);
  }

  Columns<T> int8(String name, Function<T, Long> f) {
    return add(name, "int8", name, f::apply);
  }

  Columns<T> float8(String name, Function<T, Double> f) {
    return add(name, "float8", name, f::apply);
  }

  Columns<T> bool(String name, Function<T, Boolean> f) {
    return add(name, "bool", name, f::apply);
  }

  Columns<T> json(String name, Function<T, String> f) {
    return add(name, "text", name + "::json", f::apply);
  }

  /** A JSON column given as UTF-8 bytes (a payload as received): COPY sends the bytes as they are. */
  Columns<T> jsonUtf8(String name, Function<T, byte[]> f) {
    return add(name, "text", name + "::json", f::apply);
  }

  Columns<T> bytea(String name, Function<T, String> hex) {
    return add(name, "text", "decode(" + name + ", 'hex')", hex::apply);
  }

  private Columns<T> add(String name, String type, String select, Function<T, Object> f) {
    columns.add(new Column<>(name, type, select, f));
    return this;
  }

  List<String> names() {
    return columns.stream().map(Column::name).toList();
  }

  String insertSql(String table) {
    StringBuilder sb = new StringBuilder("INSERT INTO ").append(table).append(" (");
    sb.append(String.join(", ", names())).append(") SELECT ");
    sb.append(String.join(", ", columns.stream().map(Column::select).toList()));
    sb.append(" FROM unnest(");
    for (int i = 0; i < columns.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append("?::").append(columns.get(i).arrayType()).append("[]");
    }
    sb.append(") AS t(").append(String.join(", ", names())).append(")");
    return sb.toString();
  }

  /**
   * Writes {@code rows} into {@code table} with one {@code COPY … FROM STDIN} (text format), encoded
   * straight to UTF-8 bytes and sent in chunks: numbers are written as digits, JSON columns given as bytes
   * (the payload as received) are copied with COPY's escapes, never decoded into a String.
   */
  void copy(Connection c, String table, List<T> rows) throws SQLException {
    for (Column<T> col : columns) {
      // The text goes to the columns' input functions as it is: only casts that input does anyway.
      if (!col.select().equals(col.name()) && !col.select().equals(col.name() + "::json")) {
        throw new IllegalStateException("column " + col.name() + " needs " + col.select() + ": not for COPY");
      }
    }
    CopyIn copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
        .copyIn("COPY " + table + " (" + String.join(", ", names()) + ") FROM STDIN");
    try {
      CopyText out = new CopyText(CHUNK + 16 * 1024);
      for (T row : rows) {
        for (int i = 0; i < columns.size(); i++) {
          if (i > 0) {
            out.put('\t');
          }
          out.value(columns.get(i).value().apply(row));
        }
        out.put('\n');
        if (out.length() >= CHUNK) {
          copy.writeToCopy(out.bytes(), 0, out.length());
          out.clear();
        }
      }
      copy.writeToCopy(out.bytes(), 0, out.length());
      copy.endCopy();
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  /** Bytes sent to the server per {@code writeToCopy}. */
  private static final int CHUNK = 256 * 1024;

  /** A growable byte buffer of COPY text rows. */
  static final class CopyText {
    private byte[] buf;
    private int len;

    CopyText(int capacity) {
      buf = new byte[capacity];
    }

    byte[] bytes() {
      return buf;
    }

    int length() {
      return len;
    }

    void clear() {
      len = 0;
    }

    void put(char ascii) {
      ensure(1);
      buf[len++] = (byte) ascii;
    }

    /** One field: {@code \N} for null, {@code t}/{@code f}, digits, or escaped text. */
    void value(Object v) {
      if (v == null) {
        ascii("\\N");
      } else if (v instanceof Boolean b) {
        put(b ? 't' : 'f');
      } else if (v instanceof Integer n) {
        digits(n);
      } else if (v instanceof Long n) {
        digits(n);
      } else if (v instanceof String s) {
        text(s);
      } else if (v instanceof byte[] utf8) {
        text(utf8);
      } else {
        ascii(v.toString()); // doubles: Java's text (1.0E-5, NaN, Infinity) is PostgreSQL's input syntax
      }
    }

    void digits(long n) {
      if (n == Long.MIN_VALUE) {
        ascii(Long.toString(n));
        return;
      }
      ensure(20);
      if (n < 0) {
        buf[len++] = '-';
        n = -n;
      }
      int start = len;
      do {
        buf[len++] = (byte) ('0' + n % 10);
        n /= 10;
      } while (n != 0);
      for (int i = start, j = len - 1; i < j; i++, j--) {
        byte t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
      }
    }

    private void ascii(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        buf[len++] = (byte) s.charAt(i);
      }
    }

    /** Text in UTF-8 with COPY's escapes (backslash, tab, newline, carriage return). */
    void text(String s) {
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch >= 0x80) { // not ASCII: the rest through the encoder
          text(s.substring(i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
          return;
        }
        escaped((byte) ch);
      }
    }

    /**
     * UTF-8 bytes with COPY's escapes. In UTF-8 the four escaped characters are single bytes that never
     * occur inside a multi-byte sequence, so escaping the bytes escapes the text.
     */
    void text(byte[] utf8) {
      ensure(utf8.length);
      int from = 0;
      for (int i = 0; i < utf8.length; i++) {
        byte b = utf8[i];
        if (b == '\\' || b == '\t' || b == '\n' || b == '\r') {
          System.arraycopy(utf8, from, buf, len, i - from);
          len += i - from;
          escaped(b);
          from = i + 1;
          ensure(utf8.length - from);
        }
      }
      System.arraycopy(utf8, from, buf, len, utf8.length - from);
      len += utf8.length - from;
    }

    private void escaped(byte b) {
      ensure(2);
      switch (b) {
        case '\\' -> {
          buf[len++] = '\\';
          buf[len++] = '\\';
        }
        case '\t' -> {
          buf[len++] = '\\';
          buf[len++] = 't';
        }
        case '\n' -> {
          buf[len++] = '\\';
          buf[len++] = 'n';
        }
        case '\r' -> {
          buf[len++] = '\\';
          buf[len++] = 'r';
        }
        default -> buf[len++] = b;
      }
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }
  }

  void bind(Connection c, PreparedStatement ps, List<T> rows) throws SQLException {
    for (int i = 0; i < columns.size(); i++) {
      Column<T> col = columns.get(i);
      Object[] values = new Object[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        Object v = col.value().apply(rows.get(r));
        values[r] = v instanceof byte[] utf8 ? new String(utf8, java.nio.charset.StandardCharsets.UTF_8) : v;
      }
      ps.setArray(i + 1, c.createArrayOf(col.arrayType(), values));
    }
  }
}

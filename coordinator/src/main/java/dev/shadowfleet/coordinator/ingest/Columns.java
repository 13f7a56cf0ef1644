package dev.shadowfleet.coordinator.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Multi-row writes of a list of rows, two ways: {@code INSERT … SELECT … FROM unnest(?::type[], …)} (one
 * array parameter per column: one statement, one round trip; for small batches), or {@code COPY} into a
 * session's temporary staging table then one {@code INSERT … SELECT} from it (large batches: COPY's text
 * rows cost the server far less to read than array literals of quoted JSON). JSON columns travel as text
 * and are cast to json, bytea columns as hex.
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

  /** A temporary table with these columns (typed as sent), emptied at every commit; created once per session. */
  String stagingDdl(String staging) {
    StringBuilder sb = new StringBuilder("CREATE TEMP TABLE IF NOT EXISTS ").append(staging).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(columns.get(i).name()).append(' ').append(columns.get(i).arrayType());
    }
    return sb.append(") ON COMMIT DELETE ROWS").toString();
  }

  /** {@code INSERT INTO table (…) SELECT … FROM staging} with the columns' casts. */
  String insertFromSql(String table, String staging) {
    return "INSERT INTO " + table + " (" + String.join(", ", names()) + ") SELECT "
        + String.join(", ", columns.stream().map(Column::select).toList()) + " FROM " + staging;
  }

  /** Writes {@code rows} into {@code staging} with one {@code COPY … FROM STDIN} (text format). */
  void copy(Connection c, String staging, List<T> rows) throws SQLException {
    StringBuilder sb = new StringBuilder(rows.size() * 1600);
    for (T row : rows) {
      for (int i = 0; i < columns.size(); i++) {
        if (i > 0) {
          sb.append('\t');
        }
        Object v = columns.get(i).value().apply(row);
        if (v == null) {
          sb.append("\\N");
        } else if (v instanceof Boolean b) {
          sb.append(b ? 't' : 'f');
        } else if (v instanceof String s) {
          escape(sb, s);
        } else {
          sb.append(v); // numbers: Java's text (1.0E-5, NaN, Infinity) is PostgreSQL's input syntax
        }
      }
      sb.append('\n');
    }
    try {
      c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(
          "COPY " + staging + " (" + String.join(", ", names()) + ") FROM STDIN", new java.io.StringReader(sb.toString()));
    } catch (java.io.IOException e) {
      throw new SQLException("COPY into " + staging + " failed", e);
    }
  }

  /** COPY's text format: backslash, tab, newline and carriage return are escaped. */
  private static void escape(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
  }

  void bind(Connection c, PreparedStatement ps, List<T> rows) throws SQLException {
    for (int i = 0; i < columns.size(); i++) {
      Column<T> col = columns.get(i);
      Object[] values = new Object[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        values[r] = col.value().apply(rows.get(r));
      }
      ps.setArray(i + 1, c.createArrayOf(col.arrayType(), values));
    }
  }
}

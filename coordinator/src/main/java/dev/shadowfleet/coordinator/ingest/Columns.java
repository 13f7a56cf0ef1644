package dev.shadowfleet.coordinator.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A multi-row {@code INSERT … SELECT … FROM unnest(?::type[], …)}: one array parameter per column, so a
 * whole batch is one statement and one round trip. JSON columns travel as text and are cast to jsonb,
 * bytea columns as hex.
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
    return add(name, "text", name + "::jsonb", f::apply);
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

package dev.shadowfleet.worker.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the coordinator's outcome CSV export (header row, RFC 4180 quoting) into {@link OutcomeRow}s. */
public final class OutcomeCsv {
  private OutcomeCsv() {}

  /** Every {@code *.csv} under {@code dir} (recursively, in path order), or none when it is missing. */
  public static List<OutcomeRow> readDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      List<OutcomeRow> rows = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
        rows.addAll(read(f));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One CSV file; a missing column or an unreadable value fails with the file, line and column. */
  public static List<OutcomeRow> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty, expected a header row");
    }
    List<String> header = split(lines.get(0));
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      col.put(header.get(i).trim(), i);
    }
    List<OutcomeRow> rows = new ArrayList<>();
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      Fields f = new Fields(file, n + 1, col, split(lines.get(n)));
      rows.add(new OutcomeRow(f.text("model_id"), f.integer("image_index"), f.integer("label"),
          f.optInt("target"), f.text("status"), f.bool("success"), f.bool("targeted_success"),
          f.optInt("natural_label"), f.bool("natural_certified"), f.optDouble("natural_radius"),
          f.optInt("attack_label"), f.bool("attack_certified"), f.optDouble("attack_radius"),
          f.optDouble("spoof_loss"), f.optDouble("tv"), f.optDouble("delta_l2"), f.optDouble("delta_linf")));
    }
    return rows;
  }

  /** Splits one CSV line: commas outside double quotes; {@code ""} inside quotes is one quote. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private record Fields(Path file, int line, Map<String, Integer> col, List<String> values) {
    String raw(String name) {
      Integer i = col.get(name);
      if (i == null) {
        throw new IllegalArgumentException(file + ": no column `" + name + "` in the header");
      }
      return i < values.size() ? values.get(i).trim() : "";
    }

    String text(String name) {
      return raw(name);
    }

    int integer(String name) {
      Integer v = optInt(name);
      if (v == null) {
        throw bad(name, "");
      }
      return v;
    }

    Integer optInt(String name) {
      String v = raw(name);
      try {
        return v.isEmpty() ? null : Integer.valueOf(v);
      } catch (NumberFormatException e) {
        throw bad(name, v);
      }
    }

    Double optDouble(String name) {
      String v = raw(name);
      try {
        return v.isEmpty() ? null : Double.valueOf(v);
      } catch (NumberFormatException e) {
        throw bad(name, v);
      }
    }

    boolean bool(String name) {
      String v = raw(name);
      return switch (v) {
        case "true", "t" -> true;
        case "false", "f", "" -> false;
        default -> throw bad(name, v);
      };
    }

    IllegalArgumentException bad(String name, String v) {
      return new IllegalArgumentException(file + ":" + line + ": `" + name + "` is not readable: '" + v + "'");
    }
  }
}

package dev.shadowfleet.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running launcher started, written to {@code stack.properties} after each change so {@code
 * status} and {@code down} can find it: component → settings ({@code kafka.bootstrap}, {@code
 * postgres.jdbc-url}, {@code coordinator.url}, and a {@code .pid} per process).
 */
public final class StackState {
  private final Map<String, String> values = new LinkedHashMap<>();

  public synchronized StackState put(String key, Object value) {
    values.put(key, String.valueOf(value));
    return this;
  }

  public synchronized Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  public synchronized Map<String, String> asMap() {
    return Map.copyOf(values);
  }

  /** Every pid the state names ({@code *.pid} keys; {@code workers.pids} is a comma list). */
  public synchronized List<Long> pids() {
    return values.entrySet().stream()
        .filter(e -> e.getKey().endsWith(".pid") || e.getKey().endsWith(".pids"))
        .flatMap(e -> Arrays.stream(e.getValue().split(",")))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Long::parseLong)
        .toList();
  }

  /** Writes atomically (a reader never sees half a file). */
  public synchronized void save(Path file) {
    Properties p = new Properties();
    p.putAll(values);
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "Written by the running ShadowFleet launcher; removed when it stops");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The state in {@code file}, or empty when there is none. */
  public static Optional<StackState> load(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    StackState s = new StackState();
    p.stringPropertyNames().stream().sorted().forEach(k -> s.values.put(k, p.getProperty(k)));
    return Optional.of(s);
  }
}

package dev.shadowfleet.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The ports of a data directory's services, chosen free on the first run and kept in {@code
 * ports.properties}, so a second run has the same addresses (workers and tools on other machines keep
 * working) unless one has been taken meanwhile.
 */
final class PortBook {
  private final Path file;
  private final Properties ports = new Properties();

  PortBook(Path file) {
    this.file = file;
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        ports.load(r);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  /**
   * The port for {@code name}: {@code requested} when non-zero, else the remembered one when it is free,
   * else {@code preferred} when non-zero and free, else a new free port; remembered for the next run.
   */
  synchronized int port(String name, int requested, int preferred) {
    int port;
    int kept = Integer.parseInt(ports.getProperty(name, "0"));
    if (requested != 0) {
      port = requested;
    } else if (kept != 0 && Ports.isFree(kept)) {
      port = kept;
    } else if (preferred != 0 && Ports.isFree(preferred)) {
      port = preferred;
    } else {
      port = Ports.free();
    }
    ports.setProperty(name, Integer.toString(port));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      ports.store(w, "Ports of this data directory's local stack (reused when free)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return port;
  }
}

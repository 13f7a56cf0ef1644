package dev.shadowfleet.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Processes a launcher left running because it was killed (SIGKILL, OOM) before it could stop them: the
 * pids in its {@code stack.properties}, and a PostgreSQL server on the data directory's cluster. Only a
 * process started after that launcher is touched, so a recycled pid is never killed.
 */
final class Leftovers {
  static final Duration GRACE = Duration.ofSeconds(20);

  private Leftovers() {}

  /** Stops the leftovers of a dead launcher on {@code dir}; the caller holds the data directory's lock. */
  static void clean(DataDir dir, PrintWriter out) {
    Optional<StackState> state = StackState.load(dir.stateFile());
    if (state.isPresent()) {
      Instant started =
          state.get().get("started").map(Instant::parse).orElse(Instant.EPOCH).minusSeconds(5);
      long self = ProcessHandle.current().pid();
      List<ProcessHandle> left =
          state.get().pids().stream()
              .filter(pid -> pid != self)
              .map(ProcessHandle::of)
              .flatMap(Optional::stream)
              .filter(ProcessHandle::isAlive)
              .filter(h -> h.info().startInstant().map(t -> !t.isBefore(started)).orElse(false))
              .toList();
      if (!left.isEmpty()) {
        out.println("Stopping " + left.size() + " process(es) left running by a launcher that was killed: "
            + left.stream().map(h -> "" + h.pid()).toList());
        stop(left);
      }
      try {
        Files.deleteIfExists(dir.stateFile());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + dir.stateFile(), e);
      }
    }
    Postgres.stopOrphan(dir.postgres());
  }

  /** SIGTERM to all, SIGKILL to those alive after {@link #GRACE}. */
  static void stop(List<ProcessHandle> handles) {
    handles.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (ProcessHandle h : handles) {
      try {
        h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    for (ProcessHandle h : handles) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // stuck in the kernel: nothing more a user process can do
      }
    }
  }
}

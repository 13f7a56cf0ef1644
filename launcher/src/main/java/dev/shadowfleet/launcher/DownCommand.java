package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code down}: stops the launcher on a data directory as Ctrl-C would (SIGTERM: it stops its children in
 * order), SIGKILL after a deadline, then cleans up whatever was left running.
 */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = "Stop the launcher running on the data directory and everything it started; data is kept.")
final class DownCommand implements Callable<Integer> {
  /** Workers (30 s) + coordinator (20 s) + Kafka (20 s) + PostgreSQL, with room to spare. */
  static final Duration DEADLINE = Duration.ofSeconds(120);

  @Mixin ShadowfleetLocal.DataDirOption data;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DataDir dir = data.resolve();
    Optional<Long> launcher = DataDirLock.holder(dir);
    if (launcher.isPresent()) {
      ProcessHandle h = ProcessHandle.of(launcher.get()).orElseThrow();
      out.println("Stopping launcher pid " + h.pid() + " on " + dir.root() + " ...");
      h.destroy();
      try {
        h.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        out.println("  still running after " + DEADLINE.toSeconds() + " s: SIGKILL");
        h.destroyForcibly();
        h.onExit().get(10, TimeUnit.SECONDS);
      }
    }
    // Whatever a killed launcher left (its children, a PostgreSQL server) — the lock proves it is gone.
    try (DataDirLock lock = DataDirLock.acquire(dir)) {
      Leftovers.clean(dir, out);
    }
    out.println(launcher.isPresent() ? "Stopped." : "Nothing was running on " + dir.root() + ".");
    return 0;
  }
}

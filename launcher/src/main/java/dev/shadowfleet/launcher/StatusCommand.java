package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code status}: what the launcher on a data directory runs, and where. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show what runs on the data directory (exit 0 when a launcher runs, 1 when none does).")
final class StatusCommand implements Callable<Integer> {
  @Mixin ShadowfleetLocal.DataDirOption data;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    DataDir dir = data.resolve();
    Optional<Long> launcher = DataDirLock.holder(dir);
    Optional<StackState> state = StackState.load(dir.stateFile());
    if (launcher.isEmpty()) {
      out.println("No launcher runs on " + dir.root() + (state.isPresent()
          ? " (a launcher was killed there; the next start or `down` cleans up after it)" : "") + ".");
      return ShadowfleetLocal.FAILED;
    }
    out.println("Launcher pid " + launcher.get() + " on " + dir.root());
    state.ifPresent(s -> s.asMap().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> out.printf("  %-20s %s%s%n", e.getKey(), e.getValue(), liveness(e.getKey(), e.getValue()))));
    return 0;
  }

  private static String liveness(String key, String value) {
    if (!key.endsWith(".pid") && !key.endsWith(".pids")) {
      return "";
    }
    long alive = java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty())
        .map(Long::parseLong).filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).count();
    int all = value.split(",").length;
    return alive == all ? "  (running)" : "  (" + alive + "/" + all + " running)";
  }
}

package dev.shadowfleet.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code shadowfleet-local} in a child JVM on the test class path, as the full-stack tests start it. */
final class LauncherChild {
  private LauncherChild() {}

  /** The checkout: surefire runs the tests in launcher/. */
  static Path repo() {
    return Path.of("").toAbsolutePath().getParent();
  }

  /** {@code java -Xmx<heap> -Dshadowfleet.repo=<checkout> -cp <test class path> ShadowfleetLocal <args>}. */
  static List<String> command(String heap, String... args) {
    List<String> command = new ArrayList<>(List.of(ChildProcess.javaExecutable(), "-Xmx" + heap,
        "-D" + Launch.REPO_PROPERTY + "=" + repo(), "-cp", System.getProperty("java.class.path"),
        ShadowfleetLocal.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** {@code down} on a data directory, its output dropped: a test's clean-up; returns the exit code. */
  static int down(Path dataDir) {
    return ShadowfleetLocal.run(new PrintStream(new ByteArrayOutputStream()), System.err,
        "down", "--data-dir", dataDir.toString());
  }
}

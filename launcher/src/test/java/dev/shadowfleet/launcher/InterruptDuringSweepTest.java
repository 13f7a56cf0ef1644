package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C while {@code up} follows its demo sweep: the terminal sends SIGINT to the whole process group,
 * so the coordinator dies while the launcher is still polling it. The launcher must stop the stack and say
 * so, not print the failed poll ({@code java.net.ConnectException}) as if the run had broken. The launcher
 * runs in its own session ({@code setsid}) so the signal reaches its group and not this JVM, and with
 * SIGINT reset to its default ({@code env --default-signal=INT}): a build started in the background or
 * under nohup passes SIGINT down as ignored, and a JVM started so never installs its SIGINT handler.
 */
class InterruptDuringSweepTest {
  @TempDir Path dir;

  @Test
  void ctrlCDuringTheSweepStopsTheStackWithoutAnError() throws Exception {
    Path repo = LauncherChild.repo();
    Launch launch = new Launch(repo, "", null);
    assumeTrue(Files.isRegularFile(launch.coordinatorJar()), "coordinator not built: " + launch.coordinatorJar());
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "no setsid");
    assumeTrue(new ProcessBuilder("/usr/bin/env", "--default-signal=INT", "true").start().waitFor() == 0,
        "env without --default-signal (coreutils < 8.31)");
    DataDir data = new DataDir(dir.resolve("home"));
    Path out = dir.resolve("up.out");
    List<String> command = new ArrayList<>(List.of("/usr/bin/setsid", "/usr/bin/env", "--default-signal=INT"));
    command.addAll(LauncherChild.command("256m", "up", "--workers", "1", "--images", "500", "--models", "tiny-seq",
        "--http-port", "0", "--models-dir", repo.resolve("gpu-worker/src/test/resources/fixtures/models").toString(),
        "--data-dir", data.root().toString()));
    Process up = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      awaitText(up, out, "Submitted sweep");
      Thread.sleep(3000); // a few polls of the progress
      Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + up.pid()).inheritIO().start();
      assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "SIGINT sent to the group");
      if (!up.waitFor(180, TimeUnit.SECONDS)) {
        throw new AssertionError("launcher still running 180 s after SIGINT:\n" + Files.readString(out)
            + "\n" + threads(up.pid()));
      }
      String text = Files.readString(out);
      assertTrue(text.contains("Stopped; data kept"), text);
      assertFalse(text.contains("Exception"), text);
      assertFalse(Files.exists(data.stateFile()), "the stack's state file is removed");
    } finally {
      up.destroyForcibly();
      LauncherChild.down(data.root());
    }
  }

  /** The launcher's thread dump, to see what it waits for. */
  private static String threads(long pid) throws Exception {
    Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
    if (!Files.isExecutable(jstack)) {
      return "(no jstack)";
    }
    Process p = new ProcessBuilder(jstack.toString(), Long.toString(pid)).redirectErrorStream(true).start();
    String dump = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return dump;
  }

  private static void awaitText(Process up, Path out, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
    while (System.nanoTime() < deadline) {
      String s = Files.exists(out) ? Files.readString(out) : "";
      assertTrue(up.isAlive(), () -> "launcher exited:\n" + s);
      if (s.contains(text)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no '" + text + "' in time:\n" + Files.readString(out));
  }
}

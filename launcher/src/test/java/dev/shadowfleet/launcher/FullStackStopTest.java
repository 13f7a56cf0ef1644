package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up --no-sweep} with two workers, in a child JVM: Kafka, PostgreSQL, the coordinator and the
 * workers all start and register the models; SIGTERM (the shutdown hook Ctrl-C also runs) leaves none of
 * the six processes running. Skipped when the coordinator has not been built (a {@code -pl launcher}
 * build without {@code -am}).
 */
class FullStackStopTest {
  @TempDir Path dir;

  @Test
  void everyProcessOfTheStackIsGoneAfterTheLauncherIsStopped() throws Exception {
    Path repo = LauncherChild.repo();
    Launch launch = new Launch(repo, "", null);
    assumeTrue(Files.isRegularFile(launch.coordinatorJar()), "coordinator not built: " + launch.coordinatorJar());
    DataDir data = new DataDir(dir.resolve("home"));
    Path out = dir.resolve("up.out");
    Process up = new ProcessBuilder(LauncherChild.command("256m", "up", "--no-sweep", "--workers", "2",
        "--http-port", "0", "--models-dir", repo.resolve("gpu-worker/src/test/resources/fixtures/models").toString(),
        "--data-dir", data.root().toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      StackState state = awaitLine(up, out, "Running; Ctrl-C", data);
      String text = Files.readString(out);
      assertTrue(text.contains("Registered models: [tiny-seq, tiny-ts]"), text);
      List<Long> pids = state.pids();
      assertEquals(6, pids.size(), "launcher, kafka, postgres, coordinator, 2 workers: " + state.asMap());
      for (long pid : pids) {
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " running");
      }

      up.destroy(); // SIGTERM
      assertTrue(up.waitFor(120, TimeUnit.SECONDS), "launcher exited");
      for (long pid : pids) {
        assertFalse(stillAlive(pid), "pid " + pid + " left running");
      }
      assertTrue(Files.readString(out).contains("Stopped; data kept"));
      assertFalse(Files.exists(data.stateFile()));
    } finally {
      up.destroyForcibly();
      LauncherChild.down(data.root());
    }
  }

  private static StackState awaitLine(Process up, Path out, String line, DataDir data) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(out) ? Files.readString(out) : "";
      assertTrue(up.isAlive(), () -> "launcher exited:\n" + text);
      Optional<StackState> s = StackState.load(data.stateFile());
      if (text.contains(line) && s.isPresent()) {
        return s.get();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no '" + line + "' in time:\n" + Files.readString(out));
  }

  private static boolean stillAlive(long pid) throws InterruptedException {
    for (int i = 0; i < 20; i++) { // a process being reaped: give it a moment
      if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }
}

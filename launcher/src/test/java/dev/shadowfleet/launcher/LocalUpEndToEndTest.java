package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up --exit-when-done} as the README runs it (a small sweep: 3 images, 1 worker), in a child JVM:
 * the whole stack starts, the sweep finishes, the summary is printed and nothing is left running. Needs the
 * coordinator built ({@code coordinator/target/quarkus-app}) and the bundled models.
 */
@Tag("heavy")
class LocalUpEndToEndTest {
  @TempDir Path dir;

  @Test
  void upRunsTheDemoSweepAndStopsEverything() throws Exception {
    Path repo = LauncherChild.repo();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(repo.resolve("models")), "no bundled models in " + repo.resolve("models"));
    Path out = dir.resolve("up.out");
    Process up = new ProcessBuilder(LauncherChild.command("512m", "up", "--exit-when-done", "--images", "3",
        "--workers", "1", "--data-dir", dir.resolve("home").toString(), "--timeout", "15"))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertTrue(up.waitFor(20, TimeUnit.MINUTES), "up finished");
      String text = Files.readString(out);
      assertEquals(0, up.exitValue(), text);
      assertTrue(text.contains("Registered models"), text);
      assertTrue(text.contains("nat. cert."), text);
      assertTrue(text.contains("Stopped; data kept"), text);
      assertFalse(Files.exists(dir.resolve("home").resolve("stack.properties")));
      assertTrue(Postgres.postmasterPid(dir.resolve("home").resolve("postgres")).isEmpty());
      var pids = java.util.regex.Pattern.compile("pid (\\d+)").matcher(text).results()
          .map(m -> Long.parseLong(m.group(1))).toList();
      assertTrue(pids.size() >= 3, "kafka, postgres, coordinator pids printed: " + pids);
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " left running");
      }
    } finally {
      up.destroyForcibly();
    }
  }
}

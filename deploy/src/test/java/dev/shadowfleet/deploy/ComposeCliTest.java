package dev.shadowfleet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where Docker Compose is installed (no daemon needed), its own schema validation of
 * docker-compose.yml, GPU profile included: {@code docker compose config -q}, or the older Python {@code
 * docker-compose}, which predates the top-level {@code name:} and is given a copy without it. Skipped
 * where neither is installed.
 */
class ComposeCliTest {

  @Test
  void composeAcceptsTheFileWithTheGpuProfile() throws Exception {
    List<String> cmd;
    Path file = Repo.path("docker-compose.yml");
    Path copy = null;
    if (runs("docker", "compose", "version")) {
      cmd = List.of("docker", "compose", "-f", file.toString(), "--profile", "gpu", "config", "-q");
    } else if (runs("docker-compose", "version")) {
      copy = Repo.path(".compose-check.yml");
      String text = Files.readString(file).replaceFirst("(?m)^name: .*\\n", "");
      Files.writeString(copy, text);
      cmd = List.of("docker-compose", "-f", copy.toString(), "--profile", "gpu", "config", "-q");
    } else {
      assumeTrue(false, "neither `docker compose` nor `docker-compose` is installed");
      return;
    }
    try {
      Process p = new ProcessBuilder(new ArrayList<>(cmd)).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assumeTrue(p.waitFor(60, TimeUnit.SECONDS), "compose did not answer in time");
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    } finally {
      if (copy != null) {
        Files.deleteIfExists(copy);
      }
    }
  }

  private static boolean runs(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

package dev.shadowfleet.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shadowfleet.worker.cli.ShadowfleetCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine check before any command computes: passes on the bundled natives, and turns a real
 * mismatched libtorch (Debian's PyTorch 1.13, installed with python3-torch for the reference scripts)
 * into one line and exit code 1 instead of a stack trace.
 */
class EngineCheckTest {
  private static final Path DEBIAN_LIBS = Path.of("/usr/lib/x86_64-linux-gnu");

  @Test
  void theBundledNativesPass() {
    assertNull(EngineCheck.problem());
  }

  @Test
  void aMismatchedLibtorchStopsTheCommandWithOneLine(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(DEBIAN_LIBS.resolve("libtorch_cpu.so")), "Debian's libtorch (python3-torch) is absent");
    // Only the three libraries DJL loads, so nothing else of the system folder is picked up.
    Path libs = Files.createDirectories(dir.resolve("libtorch"));
    for (String name : List.of("libc10.so", "libtorch_cpu.so", "libtorch.so")) {
      Files.createSymbolicLink(libs.resolve(name), DEBIAN_LIBS.resolve(name).toRealPath());
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), ShadowfleetCli.class.getName(),
        "certify", "--model", "fmnist-rs-0.25", "--images", "0..0");
    pb.environment().put("PYTORCH_LIBRARY_PATH", libs.toString());
    pb.environment().put("PYTORCH_VERSION", EngineCheck.BRIDGE_PYTORCH_VERSION);
    pb.environment().put("PYTORCH_FLAVOR", "cpu");
    pb.environment().put("DJL_CACHE_DIR", dir.resolve("djl").toString());
    Path log = dir.resolve("err.txt");
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command ends");
    String out = Files.readString(log);
    assertEquals(1, p.exitValue(), out);
    String line = out.lines().filter(l -> l.startsWith("shadowfleet certify: ")).findFirst().orElse("");
    assertTrue(line.contains("the PyTorch engine does not work"), out);
    assertTrue(line.contains("PYTORCH_LIBRARY_PATH=" + libs), out);
    assertTrue(line.contains("libtorch " + EngineCheck.BRIDGE_PYTORCH_VERSION), out);
    assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
  }
}

package dev.shadowfleet.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shadowfleet.worker.cli.ShadowfleetCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine check before any command computes: passes on the bundled natives, and turns a real
 * mismatched libtorch (Debian's PyTorch 1.13: libtorch1.13, which .ci/run installs and python3-torch pulls in)
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
    List<String> names = List.of("libc10.so", "libtorch_cpu.so", "libtorch.so");
    assumeTrue(debianLibrary("libtorch_cpu.so").isPresent(), "Debian's libtorch (libtorch1.13) is absent");
    // Only the three libraries DJL loads, so nothing else of the system folder is picked up.
    Path libs = Files.createDirectories(dir.resolve("libtorch"));
    for (String name : names) {
      Path lib = debianLibrary(name).orElseThrow(() -> new AssertionError("libtorch1.13 without " + name));
      Files.createSymbolicLink(libs.resolve(name), lib.toRealPath());
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

  /**
   * Debian's copy of a libtorch library: the unversioned name comes with libtorch-dev only, the runtime
   * package (libtorch1.13, pulled in by python3-torch) has just {@code name.1.13}.
   */
  private static Optional<Path> debianLibrary(String name) throws IOException {
    if (!Files.isDirectory(DEBIAN_LIBS)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(DEBIAN_LIBS)) {
      return files.filter(f -> {
        String file = f.getFileName().toString();
        return file.equals(name) || file.startsWith(name + ".");
      }).min(Comparator.comparing(f -> f.getFileName().toString()));
    }
  }
}

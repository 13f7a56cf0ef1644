package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default build's share of the fault suite ({@link FaultSuiteTest}): on a real stack of child
 * processes, workers SIGKILLed at seeded random moments, then every result delivered twice more in a
 * shuffled order; the invariant holds after each. Skipped without the coordinator build or the dataset.
 */
class FaultSmokeTest {
  @TempDir Path dir;

  @Test
  void workerKillsAndRedeliveriesKeepEveryJobExactlyOnce() throws Exception {
    assumeTrue(FaultStack.coordinatorBuilt(), "coordinator not built (./mvnw package -pl coordinator -am)");
    assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "no Fashion-MNIST");
    try (FaultStack stack = FaultStack.start(dir, 2)) {
      FaultScenarios scenarios = new FaultScenarios(stack);
      FaultScenarios.Outcome kills = scenarios.workerSigkill(11L, 8, 2);
      assertTrue(kills.report().holds(), kills.report().toString());
      assertTrue(kills.faults() > 0, "no worker was killed: the sweep ended first");
      FaultScenarios.Outcome redelivered = scenarios.duplicatedAndReordered(5L, 4);
      assertTrue(redelivered.report().holds(), redelivered.report().toString());
    }
  }
}

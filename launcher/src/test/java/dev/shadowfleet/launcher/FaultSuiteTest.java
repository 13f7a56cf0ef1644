package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole fault-injection suite on one real stack (Kafka, PostgreSQL, coordinator, two workers, all
 * child processes): one scenario per test, each on its own sweep and ending with the {@link
 * Invariant}. Tagged {@code faults} (left out of the default build): {@code tools/faults/run.sh} runs
 * it and prints the summary table.
 */
@Tag("faults")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteTest {
  /** Images per scenario sweep (× 10 targets = jobs). */
  static final int IMAGES = Integer.getInteger("shadowfleet.faults.images", 30);

  @TempDir static Path dir;
  private static FaultStack stack;
  private static FaultScenarios scenarios;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(FaultStack.coordinatorBuilt(), "coordinator not built (./mvnw package -pl coordinator -am)");
    assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "no Fashion-MNIST");
    stack = FaultStack.start(dir, 2);
    scenarios = new FaultScenarios(stack);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static void check(FaultScenarios.Outcome o) {
    System.out.printf("%s: %d faults, %s (%.1f s)%n", o.scenario(), o.faults(), o.report(), o.wallSeconds());
    assertTrue(o.report().holds(), o.report().toString());
  }

  @Test
  @Order(1)
  void workerSigkillAtRandomMoments() throws Exception {
    check(scenarios.workerSigkill(20261126L, IMAGES, 5));
  }

  @Test
  @Order(2)
  void coordinatorRestartDuringFanout() throws Exception {
    check(scenarios.coordinatorRestartDuringFanout(IMAGES * 2));
  }

  @Test
  @Order(3)
  void coordinatorRestartDuringIngestion() throws Exception {
    check(scenarios.coordinatorRestartDuringIngestion(IMAGES));
  }

  @Test
  @Order(4)
  void kafkaBrokerRestart() throws Exception {
    check(scenarios.kafkaRestart(IMAGES));
  }

  @Test
  @Order(5)
  void postgresRestart() throws Exception {
    check(scenarios.postgresRestart(IMAGES));
  }

  @Test
  @Order(6)
  void duplicatedAndReorderedDeliveries() throws Exception {
    check(scenarios.duplicatedAndReordered(7L, IMAGES));
  }

  @Test
  @Order(7)
  void workerSlowerThanThePollInterval() throws Exception {
    check(scenarios.slowWorker(3, 150));
  }
}

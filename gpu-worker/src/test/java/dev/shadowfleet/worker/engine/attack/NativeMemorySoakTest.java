package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Repeated attacks leave no live NDArray behind: the count of arrays managed by the caller's manager
 * (children included) is the same before and after every run, and the arrays held by the engine's
 * system manager do not grow.
 */
class NativeMemorySoakTest {
  @Test
  void liveArrayCountDoesNotGrowAcrossRuns() {
    try (NDManager base = NDManager.newBaseManager()) {
      SequentialNetwork net = ReferenceFixtures.network(base, "rs1", ModelKind.smoothed(0.25), 1, 28);
      NDArray image = base.randomUniform(0f, 1f, new Shape(1, 28, 28));
      AttackParams p = AttackPreset.QUICK.resolve(Map.of("steps", 3, "microBatch", 7, "trace", true));
      ShadowAttack attack = new ShadowAttack(p, net);
      attack.generate(image, new int[] {1, 2, 3}); // warm-up: lazily created engine state
      int before = base.getManagedArrays().size();
      int system = systemArrays();
      for (int run = 0; run < 5; run++) {
        attack.generate(image, new int[] {1, 2, 3});
        assertEquals(before, base.getManagedArrays().size(), "live arrays after run " + run);
      }
      int systemAfter = systemArrays();
      assertEquals(system, systemAfter, "arrays under the engine's system manager");
    }
  }

  /** Arrays under the engine's root manager, every live manager included (counted recursively). */
  private static int systemArrays() {
    try (NDManager probe = NDManager.newBaseManager()) {
      return probe.getParentManager().getManagedArrays().size();
    }
  }
}

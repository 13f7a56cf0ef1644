package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.common.config.AttackPreset;
import org.junit.jupiter.api.Test;

/** The micro-batch size the attack uses: the preset's, capped by the image's size. */
class MicroBatchTest {
  @Test
  void presetsUseTheMeasuredDefault() {
    for (AttackPreset p : AttackPreset.values()) {
      assertEquals(AttackPreset.DEFAULT_MICRO_BATCH, p.params().microBatch(), p.id());
    }
  }

  @Test
  void smallImagesKeepTheRequestedSizeLargeOnesAreCapped() {
    assertEquals(400, ShadowAttack.microBatch(400, new Shape(1, 28, 28)));
    assertEquals(400, ShadowAttack.microBatch(400, new Shape(3, 32, 32)));
    assertEquals(3600, ShadowAttack.microBatch(3600, new Shape(1, 28, 28)));
    assertEquals(2_822_400 / 3072, ShadowAttack.microBatch(3600, new Shape(3, 32, 32)));
    assertEquals(18, ShadowAttack.microBatch(400, new Shape(3, 224, 224)));
    assertEquals(1, ShadowAttack.microBatch(400, new Shape(3, 2048, 2048)), "never below one sample");
    assertEquals(5, ShadowAttack.microBatch(5, new Shape(3, 224, 224)));
  }
}

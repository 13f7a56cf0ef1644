package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.worker.engine.certify.IbpCertifier;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttackRunnerTest {

  @Test
  void bestOutcomeIsLargestSpoofedRadiusElseSmallestSpoofLoss() {
    int y = 0;
    List<TargetOutcome> o = List.of(
        outcome(1, 2.0, 5, new Certificate(1, 0.30, true, 0.9, 300, 1)),
        outcome(2, 1.0, 5, new Certificate(0, 0.90, true, 0.99, 300, 1)), // right label: no success
        outcome(3, 3.0, 5, new Certificate(3, 0.45, true, 0.95, 300, 1)),
        outcome(4, 0.5, 5, new Certificate(Certificate.ABSTAIN, 0, false, 0.4, 300, 1)));
    assertEquals(2, AttackRunner.best(o, y, false));
    List<TargetOutcome> failed = List.of(o.get(1), o.get(3));
    assertEquals(1, AttackRunner.best(failed, y, false), "no success: smallest spoofing loss");
  }

  @Test
  void intervalBoundsRankSuccessesBySmallestTv() {
    Certificate spoofed = new Certificate(5, 0.1, true, 0.2, 0, 1);
    List<TargetOutcome> o = List.of(outcome(5, 1, 9.0, spoofed), outcome(6, 2, 4.0,
        new Certificate(6, 0.1, true, 0.3, 0, 1)), outcome(7, 0.1, 1.0,
        new Certificate(7, 0, false, -1, 0, 1)));
    assertEquals(1, AttackRunner.best(o, 0, true));
  }

  /** End to end on the reference IBP network: the natural certificate is the certifier's, every target attacked. */
  @Test
  void intervalModelRunCertifiesEveryTarget() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = ReferenceFixtures.network(m, "ibp1", ModelKind.ibp(0.1), 1, 28);
      NDArray image = ReferenceFixtures.load(m, "ibp1-case").get("image");
      AttackParams p = AttackPreset.PAPER_IBP.resolve(Map.of("steps", 5, "learningRate", 2.0));
      IntervalImageCertifier certifier = new IntervalImageCertifier(net, IbpParams.DEFAULT);
      AttackRunner runner =
          new AttackRunner(new ShadowAttack(p, net), certifier, CertifyMode.SELECT_THEN_CERTIFY, true);
      ImageOutcome out = runner.run(image, 2, new int[] {0, 1, 3, 4}, 7L);
      assertFalse(out.skipped());
      assertEquals(4, out.targets().size());
      var expected = IbpCertifier.certifyPrediction(net, image, 0.1,
          dev.shadowfleet.common.config.BoundMethod.IBP, 0);
      assertEquals(expected.label(), out.natural().label());
      assertEquals(expected.certified(), out.natural().issued());
      for (int i = 0; i < 4; i++) {
        TargetOutcome t = out.targets().get(i);
        assertNotNull(t.screening());
        if (i == out.best()) {
          assertNotNull(t.full(), "the chosen x' is certified in full");
        } else {
          assertNull(t.full(), "only the chosen x' is certified in full");
        }
      }
      assertEquals(AttackRunner.best(out.targets(), 2, true), out.best());
    }
  }

  private static TargetOutcome outcome(int target, double spoof, double tv, Certificate full) {
    TargetResult r = new TargetResult(target, new int[] {1, 1, 1}, new float[1], new float[1],
        new LossTerms(spoof, tv, 0, 0, spoof), 0, 0, 1, 1, 1, List.of());
    return new TargetOutcome(r, null, full);
  }
}

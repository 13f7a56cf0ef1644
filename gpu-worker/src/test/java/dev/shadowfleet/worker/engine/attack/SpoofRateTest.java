package dev.shadowfleet.worker.engine.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetUris;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attack spoofs certificates of the bundled certified models on real Fashion-MNIST test images:
 * over the first 20 images whose natural certificate is issued (smoothing: does not abstain; IBP:
 * certified at the model's ε), the best outcome (untargeted, ALGORITHM.md) is a certificate for a wrong
 * label.
 *
 * <p>Measured (2026-11-26, 2-core AMD EPYC VM, load average 7–17, commit 7122808): σ = 0.25 with the
 * {@code ablation} preset spoofed <b>19 of 20</b> (665 s); the IBP model at ε = 0.1 with {@code
 * paper-ibp} at 60 steps <b>20 of 20</b> (953 s). Every seed is fixed (δ0 and noise from the attack's
 * seed, certification seeded per image), so a run on the same build repeats these counts; what can move
 * them is float round-off that differs with the CPU, the thread count or the libtorch build, flipping an
 * image whose certificate sits at the edge (an abstention, a radius or margin near 0). The bounds allow
 * two such flips below the measurement: ≥ 17 of 20 and ≥ 18 of 20. A real regression (broken gradient,
 * wrong target sign, a loss that no longer reaches the certifier) drops the rate to near 0, and a
 * weaker attack (e.g. a wrong penalty weight) by more than two images.
 *
 * <p>Tagged heavy: 27 minutes for the two on the loaded build machine. {@link #fullBudgetsSpoofMostImages}
 * (n = 100,000, 300 IBP steps) has not been run; it keeps the "most" (≥ 11 of 20).
 */
@Tag("heavy")
class SpoofRateTest {
  private static final int IMAGES = 20;

  /**
   * σ = 0.25 smoothing, {@code ablation} preset (30 steps, B = 50, λc 20), all 9 wrong targets.
   * Certification n0 = 100, n = 2,000, α = 0.001, select-then-certify: enough to issue radii up to
   * σ·Φ⁻¹(0.001^(1/2000)) ≈ 0.66 at a fiftieth of the paper's certification cost.
   */
  @Test
  void smoothedModelAblationPresetSpoofsMostImages() {
    SmoothingParams budget = new SmoothingParams(100, 2_000, 0.001, 1_000, CertifyMode.SELECT_THEN_CERTIFY);
    int spoofed = spoofed("fmnist-rs-0.25", AttackPreset.ABLATION.params(), budget, IMAGES);
    System.out.printf("fmnist-rs-0.25 ablation: spoofed %d of %d%n", spoofed, IMAGES);
    assertTrue(spoofed >= 17, "spoofed " + spoofed + " of " + IMAGES + " (measured 19)");
  }

  /**
   * IBP model at its ε = 0.1, {@code paper-ibp} preset with 60 steps instead of 300 (a fifth of the
   * paper's budget).
   */
  @Test
  void intervalModelPaperIbpPresetSpoofsMostImages() {
    AttackParams p = AttackPreset.PAPER_IBP.resolve(java.util.Map.of("steps", 60));
    int spoofed = spoofed("fmnist-ibp-0.1-conv-small", p, SmoothingParams.PAPER, IMAGES);
    System.out.printf("fmnist-ibp-0.1-conv-small paper-ibp (60 steps): spoofed %d of %d%n", spoofed, IMAGES);
    assertTrue(spoofed >= 18, "spoofed " + spoofed + " of " + IMAGES + " (measured 20)");
  }

  /** The same at the full paper budgets (300 IBP steps; n = 100,000); not yet run, hence the loose bound. */
  @Test
  void fullBudgetsSpoofMostImages() {
    int rs = spoofed("fmnist-rs-0.25", AttackPreset.ABLATION.params(), SmoothingParams.PAPER, IMAGES);
    int ibp = spoofed("fmnist-ibp-0.1-conv-small", AttackPreset.PAPER_IBP.params(), SmoothingParams.PAPER,
        IMAGES);
    System.out.printf("full budgets: smoothing %d, IBP %d of %d%n", rs, ibp, IMAGES);
    assertTrue(rs >= 11 && ibp >= 11, "spoofed " + rs + " / " + ibp + " of " + IMAGES);
  }

  /** Spoofed images among the first {@code count} test images with a natural certificate. */
  private static int spoofed(String modelId, AttackParams params, SmoothingParams budget, int count) {
    Dataset data = DatasetUris.open("fashion-mnist:test");
    try (LoadedModel model = ModelRegistry.fromEnvironment().load(modelId)) {
      boolean ibp = model.card().kind().isIbp();
      ImageCertifier certifier = Certifiers.forModel(model, budget, IbpParams.DEFAULT);
      AttackRunner runner = new AttackRunner(new ShadowAttack(params, model.classifier()), certifier,
          budget.mode(), ibp);
      int attacked = 0;
      int spoofed = 0;
      for (int i = 0; attacked < count && i < 200; i++) {
        try (NDManager scope = model.manager().newSubManager()) {
          NDArray x = data.image(scope, i);
          int label = data.label(i);
          if (!certifier.certify(x, 1000L * i).issued()) {
            continue; // no natural certificate to spoof (smoothing abstains; IBP not certified at ε)
          }
          int[] targets = IntStream.range(0, model.card().numClasses()).filter(t -> t != label).toArray();
          ImageOutcome o = runner.run(x, label, targets, 1000L * i);
          attacked++;
          if (o.success()) {
            assertTrue(o.bestOutcome().decisive().label() != label && o.bestOutcome().decisive().issued());
            spoofed++;
          }
        }
      }
      assertEquals(count, attacked, "fewer than " + count + " non-abstaining images in the first 200");
      return spoofed;
    }
  }
}

package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.CertifyMode;
import java.util.ArrayList;
import java.util.List;

/**
 * One image, end to end (used by the CLI and the worker): certify the natural image, skip it if
 * that certificate abstains, attack all targets in one batch, certify the x' as the {@link
 * CertifyMode} says, and choose the best outcome (ALGORITHM.md, "Best outcome per image").
 */
public final class AttackRunner {
  private final ShadowAttack attack;
  private final ImageCertifier certifier;
  private final CertifyMode mode;
  private final boolean intervalBounds;

  /**
   * @param intervalBounds the model is IBP-certified: successes rank by smallest TV, not radius
   */
  public AttackRunner(
      ShadowAttack attack, ImageCertifier certifier, CertifyMode mode, boolean intervalBounds) {
    this.attack = attack;
    this.certifier = certifier;
    this.mode = mode;
    this.intervalBounds = intervalBounds;
  }

  /** Runs image {@code image} (C×H×W in [0,1]) with true label {@code label} toward {@code targets}. */
  public ImageOutcome run(NDArray image, int label, int[] targets, long certifySeed) {
    long certifyNanos = System.nanoTime();
    Certificate natural = certifier.certify(image, certifySeed);
    certifyNanos = System.nanoTime() - certifyNanos;
    if (!intervalBounds && natural.abstained()) { // IBP: Table 2 counts every image
      return new ImageOutcome(label, natural, true, List.of(), -1, false, false, attack.params(),
          certifySeed, mode, 0, certifyNanos / 1_000_000);
    }
    long attackStart = System.nanoTime();
    List<TargetResult> results = attack.generate(image, targets);
    long attackMillis = (System.nanoTime() - attackStart) / 1_000_000;
    long start = System.nanoTime();
    List<TargetOutcome> outcomes = certifyTargets(image, label, results, certifySeed);
    int best = best(outcomes, label, intervalBounds);
    certifyNanos += System.nanoTime() - start;
    TargetOutcome chosen = outcomes.get(best);
    boolean success = chosen.success(label);
    return new ImageOutcome(label, natural, false, outcomes, best, success,
        success && chosen.decisive().label() == chosen.attack().target(), attack.params(),
        certifySeed, mode, attackMillis, certifyNanos / 1_000_000);
  }

  /**
   * Certificates of every x'. CERTIFY_ALL: each in full. SELECT_THEN_CERTIFY: each screened, the
   * best by the screening certificates certified in full.
   */
  private List<TargetOutcome> certifyTargets(
      NDArray image, int label, List<TargetResult> results, long seed) {
    List<TargetOutcome> out = new ArrayList<>();
    try (NDManager scope = image.getManager().newSubManager()) {
      List<NDArray> adversarial = new ArrayList<>();
      for (TargetResult r : results) {
        adversarial.add(scope.create(r.adversarial(), image.getShape()));
      }
      boolean screen = mode == CertifyMode.SELECT_THEN_CERTIFY;
      for (int i = 0; i < results.size(); i++) {
        Certificate c = screen
            ? certifier.screen(adversarial.get(i), seed + 1 + i)
            : certifier.certify(adversarial.get(i), seed + 1 + i);
        out.add(screen ? new TargetOutcome(results.get(i), c, null)
            : new TargetOutcome(results.get(i), null, c));
      }
      if (screen) {
        int pick = best(out, label, intervalBounds);
        TargetOutcome o = out.get(pick);
        out.set(pick, new TargetOutcome(o.attack(), o.screening(),
            certifier.certify(adversarial.get(pick), seed + 1 + pick)));
      }
    }
    return out;
  }

  /**
   * ALGORITHM.md, "Best outcome per image": among the successful targets (certified label ≠ y,
   * certificate issued) the one with the largest radius (IBP: the smallest TV); if none succeeded,
   * the one with the smallest spoofing loss. Ties go to the earlier target.
   */
  static int best(List<TargetOutcome> outcomes, int label, boolean intervalBounds) {
    int best = -1;
    for (int i = 0; i < outcomes.size(); i++) {
      TargetOutcome o = outcomes.get(i);
      if (o.success(label) && (best < 0 || better(o, outcomes.get(best), intervalBounds))) {
        best = i;
      }
    }
    if (best >= 0) {
      return best;
    }
    best = 0;
    for (int i = 1; i < outcomes.size(); i++) {
      if (outcomes.get(i).attack().loss().spoof() < outcomes.get(best).attack().loss().spoof()) {
        best = i;
      }
    }
    return best;
  }

  private static boolean better(TargetOutcome a, TargetOutcome b, boolean intervalBounds) {
    return intervalBounds
        ? a.attack().loss().tv() < b.attack().loss().tv()
        : a.decisive().radius() > b.decisive().radius();
  }
}

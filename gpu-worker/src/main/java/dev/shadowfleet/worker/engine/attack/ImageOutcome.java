package dev.shadowfleet.worker.engine.attack;

import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.CertifyMode;
import java.util.List;

/**
 * Everything one image's run produced: what a result message and the CLI's JSON record carry.
 *
 * @param label the true label y
 * @param natural the natural image's full certificate
 * @param skipped the natural certificate abstained, so no attack ran (the authors skip these)
 * @param targets one outcome per target, in the order given (empty when skipped)
 * @param best index into {@code targets} of the best outcome (ALGORITHM.md), −1 when skipped
 * @param success the best outcome is a spoofed certificate (label ≠ y, certificate issued)
 * @param targetedSuccess ... and its label is that target
 * @param params the attack's parameters, seed included
 * @param certifySeed seed of the natural certification; target i used certifySeed + 1 + i
 * @param mode the certification budget used
 * @param attackMillis wall time of the batched attack
 * @param certifyMillis wall time of all certifications
 */
public record ImageOutcome(
    int label,
    Certificate natural,
    boolean skipped,
    List<TargetOutcome> targets,
    int best,
    boolean success,
    boolean targetedSuccess,
    AttackParams params,
    long certifySeed,
    CertifyMode mode,
    long attackMillis,
    long certifyMillis) {

  /** The best target's outcome, or {@code null} when skipped. */
  public TargetOutcome bestOutcome() {
    return best < 0 ? null : targets.get(best);
  }
}

package dev.shadowfleet.worker.engine.attack;

/**
 * One target of an image: the attack and the certificates of its x'.
 *
 * @param attack the attack's result toward the target
 * @param screening the cheap certificate (select-then-certify), or {@code null}
 * @param full the full certificate, or {@code null} when this x' was not the one chosen
 */
public record TargetOutcome(TargetResult attack, Certificate screening, Certificate full) {

  /** The certificate that decides this target: the full one where it exists. */
  public Certificate decisive() {
    return full != null ? full : screening;
  }

  /** Spoofed: a certificate was issued for a label other than the true one. */
  public boolean success(int trueLabel) {
    Certificate c = decisive();
    return c != null && c.issued() && !c.abstained() && c.label() != trueLabel;
  }
}

package dev.shadowfleet.common.config;

/** What the attack minimises as L_spoof against an IBP network (paper §5). */
public enum SpoofLoss {
  /** CE(−m, t) of the margin lower bounds m over the ℓ∞ box: the certified-training loss (default). */
  ROBUST_CE,
  /** Plain cross-entropy of the logits at x+δ: the weaker baseline the paper mentions. */
  PLAIN_CE
}

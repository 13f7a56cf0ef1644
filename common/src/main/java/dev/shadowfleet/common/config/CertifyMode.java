package dev.shadowfleet.common.config;

/** How much certification the attacked images get (ALGORITHM.md, "Certification budget"). */
public enum CertifyMode {
  /**
   * The authors' budget (default): every target's x' gets a cheap certification (n0 selection
   * plus 2·n0 estimation samples) to pick the best target; only that x' is certified in full.
   */
  SELECT_THEN_CERTIFY,
  /** Every target's x' certified in full. */
  CERTIFY_ALL
}

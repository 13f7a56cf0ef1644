package dev.shadowfleet.worker.report;

/**
 * One best-per-image outcome, as the coordinator exports it ({@code GET /api/sweeps/{id}/outcomes.csv},
 * columns of {@code v_image_outcomes}). Absent values are {@code null}.
 *
 * @param model model id
 * @param image image index in the dataset
 * @param label true label y
 * @param target target class of the best outcome
 * @param status {@code DONE}, {@code SKIPPED_ABSTAIN} or {@code CANCELLED}
 * @param success the best outcome is a spoofed certificate (label ≠ y, certificate issued)
 * @param targetedSuccess ... with the target's label
 * @param naturalLabel the natural certificate's label, −1 = ABSTAIN, null = never computed
 * @param naturalCertified the natural certificate was issued (IBP: certified at ε)
 * @param naturalRadius the natural certificate's radius (randomized smoothing ℓ2, IBP: ε)
 * @param attackLabel the attack image's certified label
 * @param attackCertified the attack image got a certificate
 * @param attackRadius its radius
 * @param spoofLoss the best outcome's spoofing loss
 * @param tv its TV(δ)
 * @param deltaL2 ‖x' − x‖₂
 * @param deltaLinf ‖x' − x‖∞
 */
public record OutcomeRow(
    String model,
    int image,
    int label,
    Integer target,
    String status,
    boolean success,
    boolean targetedSuccess,
    Integer naturalLabel,
    boolean naturalCertified,
    Double naturalRadius,
    Integer attackLabel,
    boolean attackCertified,
    Double attackRadius,
    Double spoofLoss,
    Double tv,
    Double deltaL2,
    Double deltaLinf) {

  /** Randomized smoothing: the natural certificate did not abstain (the image counts in Table 1). */
  public boolean naturalIssued() {
    return naturalLabel != null && naturalLabel >= 0;
  }

  /** The image has a natural certificate or prediction at all (the image counts in Table 2). */
  public boolean naturalComputed() {
    return naturalLabel != null;
  }

  /** The spoofed radius, 0 when the best attack failed (no spoofed certificate). */
  public double spoofedRadius() {
    return success && attackRadius != null ? attackRadius : 0.0;
  }

  /** Table 2: the natural image is wrongly labelled or not certified. */
  public boolean robustError() {
    return naturalLabel != label || !naturalCertified;
  }

  /** Table 2: the attack image is correctly labelled or not certified (no attack image: not certified). */
  public boolean attackError() {
    return attackLabel == null || attackLabel == label || !attackCertified;
  }
}

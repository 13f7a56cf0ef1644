package dev.shadowfleet.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One result on {@link Topics#RESULTS}: the outcome of one job (one image × one target).
 *
 * @param schemaVersion {@link MessageCodec#SCHEMA_VERSION}
 * @param jobId the job's deterministic id
 * @param sweepId sweep
 * @param modelId model
 * @param imageIndex image
 * @param target target class t
 * @param attempt the delivery attempt that produced it
 * @param workerId the worker that ran it
 * @param status DONE, or why it was skipped
 * @param label true label y of the image
 * @param natural certificate of the natural image
 * @param attack certificate of x' = clip(x+δ, 0, 1); null when skipped
 * @param success spoofed certificate: attack label ≠ y and a certificate issued
 * @param targetedSuccess success with label t
 * @param spoofLoss final spoofing loss
 * @param tv final TV(δ)
 * @param color final C(δ)
 * @param dissim final Dissim(δ)
 * @param deltaL2 ‖δ‖₂ of the applied perturbation (x' − x)
 * @param deltaLinf ‖δ‖∞ of the applied perturbation
 * @param steps steps run
 * @param wallMillis wall time of the job on the worker
 * @param computeSeconds compute seconds attributed to this job (its share of a batched run)
 * @param provenance what is needed to re-run and trust it
 * @param images small PNGs worth showing (may be null)
 * @param failureReason why the job FAILED, naming the field when one is to blame ({@code field: reason});
 *     null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(
    int schemaVersion,
    String jobId,
    String sweepId,
    String modelId,
    int imageIndex,
    int target,
    int attempt,
    String workerId,
    JobStatus status,
    int label,
    Certificate natural,
    Certificate attack,
    boolean success,
    boolean targetedSuccess,
    Double spoofLoss,
    Double tv,
    Double color,
    Double dissim,
    Double deltaL2,
    Double deltaLinf,
    int steps,
    long wallMillis,
    double computeSeconds,
    Provenance provenance,
    ResultImages images,
    String failureReason) {

  public JobResult {
    Validation.requireText("jobId", jobId);
    Validation.requireText("sweepId", sweepId);
    Validation.requireText("modelId", modelId);
    Validation.requireText("workerId", workerId);
    Validation.require(
        status != null, "status", "one of DONE, SKIPPED_ABSTAIN, SKIPPED_LABEL, CANCELLED, FAILED", status);
    Validation.require(attempt >= 1, "attempt", "≥ 1", attempt);
    boolean ran = status == JobStatus.DONE || status == JobStatus.SKIPPED_ABSTAIN;
    Validation.require(!ran || natural != null, "natural", "present when DONE or SKIPPED_ABSTAIN", null);
    Validation.require(
        (status == JobStatus.FAILED) == (failureReason != null && !failureReason.isBlank()),
        "failureReason",
        "present exactly when FAILED",
        failureReason);
    Validation.require(status != JobStatus.DONE || attack != null, "attack", "present when DONE", null);
    Validation.require(!success || status == JobStatus.DONE, "success", "false unless DONE", success);
  }

  /**
   * The result of a job that failed permanently: no certificates, {@code label} −1.
   *
   * @param field the offending field, or null when none is to blame
   */
  public static JobResult failed(
      AttackJob job, String workerId, String field, String reason, long wallMillis) {
    String why = field == null || field.isBlank() ? reason : field + ": " + reason;
    return new JobResult(MessageCodec.SCHEMA_VERSION, job.jobId(), job.sweepId(), job.modelId(),
        job.imageIndex(), job.target(), job.attempt(), workerId, JobStatus.FAILED, -1, null, null,
        false, false, null, null, null, null, null, null, 0, wallMillis, 0.0, null, null, why);
  }

  /**
   * The result of a job whose target is the image's true label: skipped without compute (attacking
   * toward the true label means nothing). {@code label} is the true label; no certificates.
   */
  public static JobResult skippedLabel(AttackJob job, String workerId, int label) {
    return new JobResult(MessageCodec.SCHEMA_VERSION, job.jobId(), job.sweepId(), job.modelId(),
        job.imageIndex(), job.target(), job.attempt(), workerId, JobStatus.SKIPPED_LABEL, label, null,
        null, false, false, null, null, null, null, null, null, 0, 0L, 0.0, null, null, null);
  }

  /**
   * The result of a job whose natural image the certifier abstains on: nothing to spoof, so no attack ran.
   * Carries the natural certificate and the certification's share of compute.
   */
  public static JobResult skippedAbstain(AttackJob job, String workerId, int label, Certificate natural,
      long wallMillis, double computeSeconds, Provenance provenance) {
    return new JobResult(MessageCodec.SCHEMA_VERSION, job.jobId(), job.sweepId(), job.modelId(),
        job.imageIndex(), job.target(), job.attempt(), workerId, JobStatus.SKIPPED_ABSTAIN, label, natural,
        null, false, false, null, null, null, null, null, null, 0, wallMillis, computeSeconds, provenance,
        null, null);
  }

  /** The result of a job of a cancelled sweep, skipped without compute. */
  public static JobResult cancelled(AttackJob job, String workerId) {
    return new JobResult(MessageCodec.SCHEMA_VERSION, job.jobId(), job.sweepId(), job.modelId(),
        job.imageIndex(), job.target(), job.attempt(), workerId, JobStatus.CANCELLED, -1, null, null,
        false, false, null, null, null, null, null, null, 0, 0L, 0.0, null, null, null);
  }

  /** The same result carrying {@code pngs}. */
  public JobResult withImages(ResultImages pngs) {
    return new JobResult(schemaVersion, jobId, sweepId, modelId, imageIndex, target, attempt, workerId, status,
        label, natural, attack, success, targetedSuccess, spoofLoss, tv, color, dissim, deltaL2, deltaLinf, steps,
        wallMillis, computeSeconds, provenance, pngs, failureReason);
  }

  /** Base64 PNGs: natural image, perturbation (centred on grey), adversarial image. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ResultImages(String natural, String perturbation, String adversarial) {}
}

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
    ResultImages images) {

  public JobResult {
    Validation.requireText("jobId", jobId);
    Validation.requireText("sweepId", sweepId);
    Validation.requireText("modelId", modelId);
    Validation.requireText("workerId", workerId);
    Validation.require(status != null, "status", "one of DONE, SKIPPED_ABSTAIN, CANCELLED", status);
    Validation.require(attempt >= 1, "attempt", "≥ 1", attempt);
    Validation.require(status == JobStatus.CANCELLED || natural != null, "natural", "present", null);
    Validation.require(status != JobStatus.DONE || attack != null, "attack", "present when DONE", null);
    Validation.require(!success || status == JobStatus.DONE, "success", "false unless DONE", success);
  }

  /** Base64 PNGs: natural image, perturbation (centred on grey), adversarial image. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ResultImages(String natural, String perturbation, String adversarial) {}
}

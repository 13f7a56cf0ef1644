package dev.shadowfleet.common.message;

import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import java.util.List;
import java.util.Map;

/**
 * One job on {@link Topics#JOBS}: attack image {@code imageIndex} of {@code datasetUri} toward
 * {@code target} on model {@code modelId}, then certify. Carries references, never tensors.
 *
 * @param schemaVersion {@link MessageCodec#SCHEMA_VERSION}
 * @param jobId deterministic id ({@link #idOf}), so a re-publish never creates a second job
 * @param sweepId the sweep this job belongs to
 * @param modelId registered model id
 * @param modelSha256 SHA-256 of the model file the coordinator registered (workers refuse others)
 * @param datasetUri dataset URI, e.g. {@code fashion-mnist:test}
 * @param imageIndex index of the image in the dataset
 * @param target target class t (≠ the image's label; the worker checks)
 * @param imageTargets all targets of this image in the sweep (the worker batches them, and knows
 *     when it holds them all for select-then-certify)
 * @param preset attack preset id ({@link AttackPreset})
 * @param overrides single attack parameters replacing the preset's
 * @param smoothing randomized-smoothing certification (smoothed models)
 * @param ibp interval-bound certification (IBP models)
 * @param seed job seed: δ's init and the attack's noise
 * @param attempt delivery attempt, from 1
 * @param priority higher first, where the fleet can choose
 */
public record AttackJob(
    int schemaVersion,
    String jobId,
    String sweepId,
    String modelId,
    String modelSha256,
    String datasetUri,
    int imageIndex,
    int target,
    List<Integer> imageTargets,
    String preset,
    Map<String, Object> overrides,
    SmoothingParams smoothing,
    IbpParams ibp,
    long seed,
    int attempt,
    int priority) {

  public AttackJob {
    Validation.requireText("jobId", jobId);
    Validation.requireText("sweepId", sweepId);
    Validation.requireText("modelId", modelId);
    Validation.requireText("datasetUri", datasetUri);
    Validation.requireText("preset", preset);
    Validation.require(imageIndex >= 0, "imageIndex", "≥ 0", imageIndex);
    Validation.require(target >= 0, "target", "≥ 0", target);
    Validation.require(attempt >= 1, "attempt", "≥ 1", attempt);
    Validation.require(
        imageTargets != null && imageTargets.contains(target),
        "imageTargets",
        "a list containing target " + target,
        imageTargets);
    imageTargets = List.copyOf(imageTargets);
    overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
  }

  /** The deterministic job id of (sweep, model, image, target). */
  public static String idOf(String sweepId, String modelId, int imageIndex, int target) {
    return Topics.key(sweepId, modelId, imageIndex) + "/" + target;
  }

  /** The partition key (sweep/model/image). */
  public String key() {
    return Topics.key(sweepId, modelId, imageIndex);
  }

  /** The same job, delivered again. */
  public AttackJob nextAttempt() {
    return new AttackJob(schemaVersion, jobId, sweepId, modelId, modelSha256, datasetUri, imageIndex,
        target, imageTargets, preset, overrides, smoothing, ibp, seed, attempt + 1, priority);
  }
}

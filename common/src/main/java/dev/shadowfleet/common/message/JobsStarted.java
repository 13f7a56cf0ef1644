package dev.shadowfleet.common.message;

import java.time.Instant;
import java.util.List;

/**
 * A worker started computing the jobs of one image batch. Sent on {@link Topics#RESULTS} with the
 * result's key (so it precedes the batch's results on their partition) and the header {@link
 * Topics#TYPE_HEADER} = {@link #TYPE}; the coordinator marks those jobs RUNNING unless they already
 * ended. Losing one costs nothing but the RUNNING count; a duplicate or a late one changes nothing.
 *
 * @param schemaVersion {@link MessageCodec#SCHEMA_VERSION}
 * @param sweepId sweep
 * @param modelId model
 * @param imageIndex image
 * @param jobIds the jobs of the batch (one per target)
 * @param attempt the highest delivery attempt among them
 * @param workerId the worker computing them
 * @param startedAt when the batch started
 */
public record JobsStarted(
    int schemaVersion,
    String sweepId,
    String modelId,
    int imageIndex,
    List<String> jobIds,
    int attempt,
    String workerId,
    Instant startedAt) {

  /** The value of {@link Topics#TYPE_HEADER} on a started record. */
  public static final String TYPE = "started";

  public JobsStarted {
    Validation.requireText("sweepId", sweepId);
    Validation.requireText("modelId", modelId);
    Validation.requireText("workerId", workerId);
    Validation.require(jobIds != null && !jobIds.isEmpty(), "jobIds", "a non-empty list", jobIds);
    Validation.require(attempt >= 1, "attempt", "≥ 1", attempt);
    jobIds = List.copyOf(jobIds);
  }

  /** The started record of a batch of jobs of one (sweep, model, image). */
  public static JobsStarted of(List<AttackJob> batch, String workerId) {
    AttackJob first = batch.get(0);
    return new JobsStarted(MessageCodec.SCHEMA_VERSION, first.sweepId(), first.modelId(), first.imageIndex(),
        batch.stream().map(AttackJob::jobId).toList(),
        batch.stream().mapToInt(AttackJob::attempt).max().orElse(1), workerId, Instant.now());
  }

  /** The partition key, the same as the results of these jobs. */
  public String key() {
    return Topics.key(sweepId, modelId, imageIndex);
  }
}

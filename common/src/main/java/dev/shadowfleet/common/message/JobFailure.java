package dev.shadowfleet.common.message;

import java.time.Instant;

/**
 * A job that failed permanently (or a message that could not be read), on a DLQ topic.
 *
 * @param schemaVersion {@link MessageCodec#SCHEMA_VERSION}
 * @param jobId the job's id, or null when the payload could not be parsed
 * @param attempt attempts made
 * @param workerId who gave up
 * @param field the offending field, when one is to blame
 * @param reason why, in words
 * @param payload the original message text (for replay or inspection)
 * @param failedAt when
 */
public record JobFailure(
    int schemaVersion,
    String jobId,
    int attempt,
    String workerId,
    String field,
    String reason,
    String payload,
    Instant failedAt) {

  public JobFailure {
    Validation.requireText("reason", reason);
    Validation.requireText("workerId", workerId);
  }
}

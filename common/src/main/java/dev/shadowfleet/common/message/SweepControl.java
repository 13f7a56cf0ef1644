package dev.shadowfleet.common.message;

/**
 * A sweep's state on {@link Topics#SWEEPS} (compacted, key = sweep id): the latest value wins.
 *
 * @param schemaVersion {@link MessageCodec#SCHEMA_VERSION}
 * @param sweepId the sweep
 * @param cancelled true once the sweep was cancelled: workers skip its queued jobs and report them
 *     CANCELLED
 */
public record SweepControl(int schemaVersion, String sweepId, boolean cancelled) {
  public SweepControl {
    Validation.requireText("sweepId", sweepId);
  }
}

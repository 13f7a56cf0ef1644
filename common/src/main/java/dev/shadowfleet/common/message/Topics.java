package dev.shadowfleet.common.message;

/** Topic names and the partition key, in one place (DESIGN.md, "Data flow"). */
public final class Topics {
  /** Attack jobs, coordinator → workers. */
  public static final String JOBS = "shadowfleet.jobs";

  /** Job results, workers → coordinator. */
  public static final String RESULTS = "shadowfleet.results";

  /** Poison or permanently failing jobs, with the reason. */
  public static final String JOBS_DLQ = "shadowfleet.jobs.dlq";

  /** Results the coordinator could not read (bad JSON, unknown schema), with the reason. */
  public static final String RESULTS_DLQ = "shadowfleet.results.dlq";

  /**
   * Sweep state changes (compacted, key = sweep id): workers read it to skip the queued jobs of a
   * cancelled sweep.
   */
  public static final String SWEEPS = "shadowfleet.sweeps";

  /**
   * Record header naming a record's type on {@link #RESULTS} when it is not a {@link JobResult}:
   * {@link JobsStarted#TYPE}. Records without it are results (what workers before it sent).
   */
  public static final String TYPE_HEADER = "shadowfleet-type";

  private Topics() {}

  /**
   * Partition key of a job and its result: all targets of one image of one model in one sweep land on
   * one partition, so one worker can attack them in one batch. Never key by model alone: that would
   * funnel a model's jobs into one worker.
   */
  public static String key(String sweepId, String modelId, int imageIndex) {
    return sweepId + "/" + modelId + "/" + imageIndex;
  }
}

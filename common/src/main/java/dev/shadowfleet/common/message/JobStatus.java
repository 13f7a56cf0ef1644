package dev.shadowfleet.common.message;

/** How a job ended on the worker. */
public enum JobStatus {
  /** Attack and certification ran; the result holds the outcome (which may be a failed attack). */
  DONE,
  /** Skipped: the natural image's certificate abstains (the attack would mean nothing). */
  SKIPPED_ABSTAIN,
  /** Skipped: the sweep was cancelled before the job ran. */
  CANCELLED,
  /**
   * Failed permanently (bad model file, image out of range, target = label, NaN loss, invalid
   * parameters, or transient errors on every allowed attempt): {@link JobResult#failureReason} says
   * why; the same job is on {@link Topics#JOBS_DLQ} with its payload for replay.
   */
  FAILED
}

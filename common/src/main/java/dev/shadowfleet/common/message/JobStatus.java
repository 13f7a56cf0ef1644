package dev.shadowfleet.common.message;

/** How a job ended on the worker. */
public enum JobStatus {
  /** Attack and certification ran; the result holds the outcome (which may be a failed attack). */
  DONE,
  /** Skipped: the natural image's certificate abstains (the attack would mean nothing). */
  SKIPPED_ABSTAIN,
  /**
   * Skipped: the target is the image's true label (a sweep with {@code targets: all} asks for it; only
   * the worker, which reads the image, knows). Not an attempt: no attack ran, and it counts in no
   * success rate or best outcome. Added after schema 1 shipped: a reader that does not know it sends
   * the result to its DLQ, so update coordinators before workers.
   */
  SKIPPED_LABEL,
  /** Skipped: the sweep was cancelled before the job ran. */
  CANCELLED,
  /**
   * Failed permanently (bad model file, image out of range, target outside the classes, NaN loss, invalid
   * parameters, or transient errors on every allowed attempt): {@link JobResult#failureReason} says
   * why; the same job is on {@link Topics#JOBS_DLQ} with its payload for replay.
   */
  FAILED
}

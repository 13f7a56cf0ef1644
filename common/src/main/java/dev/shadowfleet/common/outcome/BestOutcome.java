package dev.shadowfleet.common.outcome;

import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * The best-per-image rule of ALGORITHM.md ("Best outcome per image"), one total order shared by the
 * worker, the CLI and the coordinator, so replays and reorders always pick the same result:
 *
 * <ol>
 *   <li>jobs that ran (DONE) before skipped ones;
 *   <li>successful attacks (spoofed certificate) before failed ones;
 *   <li>among successes, a full certificate before a screening-only one (select-then-certify), then
 *       randomized smoothing: the largest radius; IBP: the smallest TV(δ);
 *   <li>among failures, the lowest spoofing loss (a missing or NaN loss is the worst);
 *   <li>ties: the smallest target, then the job id.
 * </ol>
 *
 * Results of jobs that were no attempt at all ({@link JobStatus#SKIPPED_LABEL}: the target was the
 * true label) take no part: see {@link #counts}.
 */
public final class BestOutcome {

  /** Sorts the best result first. */
  public static final Comparator<JobResult> ORDER =
      Comparator.comparingInt((JobResult r) -> r.status() == JobStatus.DONE ? 0 : 1)
          .thenComparingInt(r -> r.success() ? 0 : 1)
          .thenComparingInt(r -> r.success() && isScreening(r) ? 1 : 0)
          .thenComparingDouble(BestOutcome::successKey)
          .thenComparingDouble(BestOutcome::failureKey)
          .thenComparingInt(JobResult::target)
          .thenComparing(JobResult::jobId);

  private BestOutcome() {}

  /**
   * The best of {@code results} (all of one sweep, model and image) that {@link #counts count}, or
   * empty if there are none.
   */
  public static Optional<JobResult> of(Collection<JobResult> results) {
    return results.stream().filter(BestOutcome::counts).min(ORDER);
  }

  /** True when {@code r} takes part in the image's outcome (it is not skipped for its label). */
  public static boolean counts(JobResult r) {
    return r.status() != JobStatus.SKIPPED_LABEL;
  }

  /** True when {@code candidate} should replace {@code current} as the image's outcome. */
  public static boolean isBetter(JobResult candidate, JobResult current) {
    return current == null || ORDER.compare(candidate, current) < 0;
  }

  /** Success step of the order (smaller is better): RS −radius, IBP TV(δ); 0 for failures. */
  public static double successKey(JobResult r) {
    if (!r.success()) {
      return 0;
    }
    if (isIbp(r)) {
      return finiteOrMax(r.tv());
    }
    return -r.attack().radius();
  }

  /** Failure step of the order (smaller is better): the spoofing loss, missing or NaN last; 0 for successes. */
  public static double failureKey(JobResult r) {
    return r.success() ? 0 : finiteOrMax(r.spoofLoss());
  }

  private static boolean isIbp(JobResult r) {
    String m = r.attack() == null ? "" : r.attack().method();
    return m.equals("ibp") || m.equals("crown-ibp");
  }

  /** True when the attack's certificate comes from select-then-certify's screening budget only. */
  public static boolean isScreening(JobResult r) {
    return r.attack() != null && r.attack().method().endsWith("-screening");
  }

  private static double finiteOrMax(Double v) {
    return v == null || Double.isNaN(v) ? Double.MAX_VALUE : v;
  }
}

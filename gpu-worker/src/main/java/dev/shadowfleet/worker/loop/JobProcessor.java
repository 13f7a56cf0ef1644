package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import java.util.List;

/**
 * Runs one image batch: the jobs of one (sweep, model, image), one per target, attacked together.
 * The loop calls it on its compute thread, one batch at a time.
 *
 * <p>Contract, which decides what the loop does with the batch:
 *
 * <ul>
 *   <li>return one result per job (same job id); a job that cannot give a meaningful answer (target =
 *       label, NaN loss, …) gets {@link JobResult#failed} with the field and the reason — the loop
 *       also sends it to the DLQ;
 *   <li>throw {@link PermanentJobException} (or {@code ParameterException}/{@code MessageException}/
 *       {@code DatasetException}) when the whole batch can never succeed (bad model file or checksum,
 *       image out of range): every job goes to the DLQ and is reported FAILED, without retries;
 *   <li>throw anything else for a failure that may pass (GPU out of memory, I/O): the jobs are
 *       retried up to {@link WorkerConfig#maxAttempts} times, then treated as permanent;
 *   <li>check {@link CancellationSignal#isCancelled()} between steps and throw {@link
 *       BatchCancelledException} when it is set (the sweep was cancelled, or the batch was handed back).
 * </ul>
 */
@FunctionalInterface
public interface JobProcessor {

  List<JobResult> process(List<AttackJob> imageBatch, CancellationSignal cancellation) throws Exception;

  /** Tells a running batch to stop early. */
  @FunctionalInterface
  interface CancellationSignal {
    boolean isCancelled();

    default void throwIfCancelled() {
      if (isCancelled()) {
        throw new BatchCancelledException();
      }
    }
  }

  /** Thrown by a processor that stopped because its {@link CancellationSignal} was set. */
  final class BatchCancelledException extends RuntimeException {
    public BatchCancelledException() {
      super("batch cancelled", null, false, false);
    }
  }
}

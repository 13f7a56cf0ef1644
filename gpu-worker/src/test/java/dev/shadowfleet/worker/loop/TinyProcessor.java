package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test fixture processor doing real but tiny work: it takes {@code millisPerBatch} (in slices,
 * watching the cancellation signal) and computes a deterministic result from the job, so a test can
 * recompute what every result must be. It records every batch it runs (in memory, and in a file when
 * it runs in a child worker process). Poison rules, keyed on job fields:
 *
 * <ul>
 *   <li>model id {@code corrupt-model} → the whole batch fails permanently (bad checksum);
 *   <li>target = label (label = imageIndex mod 10) → that job SKIPPED_LABEL, as the engine does;
 *   <li>override {@code failAttempts: k} → a transient error on attempts 1..k;
 *   <li>override {@code sleepMillis: t} → the batch takes t ms instead.
 * </ul>
 */
final class TinyProcessor implements JobProcessor {
  private final long millisPerBatch;
  private final String workerId;
  private final Path journal;
  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  final List<List<AttackJob>> batches = new CopyOnWriteArrayList<>();

  TinyProcessor(long millisPerBatch, String workerId) {
    this(millisPerBatch, workerId, null);
  }

  /** @param journal a file that gets {@code start <ids>} / {@code end <ids>} lines, or null */
  TinyProcessor(long millisPerBatch, String workerId, Path journal) {
    this.millisPerBatch = millisPerBatch;
    this.workerId = workerId;
    this.journal = journal;
  }

  static int labelOf(int imageIndex) {
    return imageIndex % 10;
  }

  /** The result a DONE job must have. */
  static JobResult expected(AttackJob job, String workerId, long wallMillis) {
    int label = labelOf(job.imageIndex());
    boolean success = (job.target() + job.imageIndex()) % 3 == 0;
    Certificate natural = new Certificate(label, true, 0.1 * (job.imageIndex() % 5 + 1), null, null, null, null, "rs");
    Certificate attack = new Certificate(success ? job.target() : label, success,
        success ? 0.05 * job.target() : 0.0, null, null, null, null, "rs");
    return new JobResult(MessageCodec.SCHEMA_VERSION, job.jobId(), job.sweepId(), job.modelId(),
        job.imageIndex(), job.target(), job.attempt(), workerId, JobStatus.DONE, label, natural, attack,
        success, success, 1.0 / (1 + job.target()), 0.0, 0.0, null, 0.0, 0.0, 1, wallMillis, 0.0, null,
        null, null);
  }

  @Override
  public List<JobResult> process(List<AttackJob> batch, CancellationSignal cancellation)
      throws InterruptedException {
    batches.add(batch);
    List<String> ids = batch.stream().map(AttackJob::jobId).toList();
    batch.forEach(j -> runs.computeIfAbsent(j.jobId(), k -> new AtomicInteger()).incrementAndGet());
    journal("start " + String.join(" ", ids));
    long sleep = batch.stream().mapToLong(j -> ((Number) j.overrides().getOrDefault("sleepMillis",
        millisPerBatch)).longValue()).max().orElse(millisPerBatch);
    long end = System.nanoTime() + sleep * 1_000_000;
    while (System.nanoTime() < end) {
      cancellation.throwIfCancelled();
      Thread.sleep(Math.max(1, Math.min(20, (end - System.nanoTime()) / 1_000_000)));
    }
    if (batch.get(0).modelId().equals("corrupt-model")) {
      throw new PermanentJobException("modelSha256", "model file checksum does not match the registered one");
    }
    for (AttackJob j : batch) {
      int failAttempts = ((Number) j.overrides().getOrDefault("failAttempts", 0)).intValue();
      if (j.attempt() <= failAttempts) {
        throw new IllegalStateException("CUDA out of memory (simulated) on attempt " + j.attempt());
      }
    }
    List<JobResult> out = new ArrayList<>();
    for (AttackJob j : batch) {
      out.add(j.target() == labelOf(j.imageIndex())
          ? JobResult.skippedLabel(j, workerId, labelOf(j.imageIndex()))
          : expected(j, workerId, sleep));
    }
    journal("end " + String.join(" ", ids));
    return out;
  }

  private void journal(String line) {
    if (journal == null) {
      return;
    }
    try {
      Files.writeString(journal, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

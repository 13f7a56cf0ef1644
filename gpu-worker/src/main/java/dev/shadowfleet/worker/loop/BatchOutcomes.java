package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.DeadLetterHeaders;
import dev.shadowfleet.common.message.DeadLetterPayload;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.MessageException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a finished batch sends: results, DLQ records, retried jobs. The failure policy lives here:
 *
 * <ul>
 *   <li>permanent error → a {@link JobFailure} on the DLQ (payload kept for replay) and a FAILED
 *       {@link JobResult} on the results topic, so the coordinator marks the job FAILED through the
 *       one consumer it already has;
 *   <li>transient error → the job is republished on the jobs topic with {@code attempt + 1} (same key,
 *       so the same partition), and its offset committed: the partition moves on instead of blocking
 *       on backoff, the attempt count survives worker restarts, and another worker may take it;
 *   <li>the {@code maxAttempts}-th transient failure is treated as permanent.
 * </ul>
 */
final class BatchOutcomes {
  private static final Logger LOG = LoggerFactory.getLogger(BatchOutcomes.class);
  private static final Pattern FIELD_PREFIX = Pattern.compile("^([A-Za-z][\\w.\\[\\]]*): (.*)$", Pattern.DOTALL);

  private final WorkerConfig config;

  /** The records to send for a batch, and what they mean for the metrics. */
  record Plan(List<ProducerRecord<String, byte[]>> records, List<JobResult> results, int dlq, int retried) {}

  BatchOutcomes(WorkerConfig config) {
    this.config = config;
  }

  /** Results of a batch that ran; FAILED ones also go to the DLQ, missing ones count as transient. */
  Plan ofResults(AttackJobConsumer.ImageBatch batch, List<JobResult> results, long wallMillis) {
    Map<String, JobResult> byId = new HashMap<>();
    for (JobResult r : results == null ? List.<JobResult>of() : results) {
      if (batch.jobIds().contains(r.jobId())) {
        byId.putIfAbsent(r.jobId(), r);
      } else {
        LOG.warn("job {} not in the batch {}: result dropped", r.jobId(), batch.jobIds());
      }
    }
    Builder b = new Builder();
    for (int i = 0; i < batch.jobs().size(); i++) {
      AttackJob job = batch.jobs().get(i);
      JobResult r = byId.get(job.jobId());
      if (r == null) {
        b.retryOrFail(job, batch.records().get(i), null, "the processor returned no result", wallMillis);
      } else if (r.status() == JobStatus.FAILED) {
        Matcher m = FIELD_PREFIX.matcher(r.failureReason());
        String field = m.matches() ? m.group(1) : null;
        String reason = m.matches() ? m.group(2) : r.failureReason();
        b.fail(job, batch.records().get(i), r, field, reason);
      } else {
        b.result(job, r);
      }
    }
    return b.plan();
  }

  /** The whole batch threw: permanent → every job FAILED; transient → retried or FAILED. */
  Plan ofFailure(AttackJobConsumer.ImageBatch batch, Throwable cause, long wallMillis) {
    Builder b = new Builder();
    String field = ErrorTier.fieldOf(cause);
    String reason = ErrorTier.reasonOf(cause);
    boolean permanent = ErrorTier.of(cause) == ErrorTier.PERMANENT;
    for (int i = 0; i < batch.jobs().size(); i++) {
      AttackJob job = batch.jobs().get(i);
      if (permanent) {
        b.fail(job, batch.records().get(i), JobResult.failed(job, config.workerId(), field, reason,
            wallMillis), field, reason);
      } else {
        b.retryOrFail(job, batch.records().get(i), field, reason, wallMillis);
      }
    }
    return b.plan();
  }

  /** Jobs of a cancelled sweep: CANCELLED, no compute. */
  Plan cancelled(AttackJobConsumer.ImageBatch batch) {
    Builder b = new Builder();
    batch.jobs().forEach(job -> b.result(job, JobResult.cancelled(job, config.workerId())));
    return b.plan();
  }

  /**
   * A record that is not a readable job: DLQ only (there is no job id to mark FAILED). The letter
   * keeps the original key, the original headers and the original bytes ({@link DeadLetterPayload}).
   */
  ProducerRecord<String, byte[]> malformed(ConsumerRecord<String, byte[]> r, MessageException e) {
    JobFailure failure = new JobFailure(MessageCodec.SCHEMA_VERSION, null, 0, config.workerId(),
        e.field(), "malformed job at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": "
            + e.getMessage(), payload(r), Instant.now());
    return DeadLetterHeaders.letter(config.topics().dlq(), r.key(), r, MessageCodec.encode(failure), e.field(),
        failure.reason());
  }

  /** One line per finished job. */
  static void logSummary(JobResult r) {
    if (r.status() == JobStatus.FAILED) {
      LOG.warn("job {} FAILED attempt {} on {}: {}", r.jobId(), r.attempt(), r.workerId(), r.failureReason());
    } else if (r.status() == JobStatus.DONE) {
      LOG.info("job {} DONE attempt {} label {} target {} success {} radius {} natural {} loss {} wall {} ms",
          r.jobId(), r.attempt(), r.label(), r.target(), r.success(),
          r.attack() == null ? null : r.attack().radius(),
          r.natural() == null ? null : r.natural().radius(), r.spoofLoss(), r.wallMillis());
    } else {
      LOG.info("job {} {} attempt {} on {}", r.jobId(), r.status(), r.attempt(), r.workerId());
    }
  }

  /** The source record's bytes, bounded so the letter always fits on the DLQ topic. */
  private static String payload(ConsumerRecord<String, byte[]> r) {
    return DeadLetterPayload.of(r.value());
  }

  private final class Builder {
    final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    final List<JobResult> results = new ArrayList<>();
    int dlq;
    int retried;

    void result(AttackJob job, JobResult r) {
      records.add(new ProducerRecord<>(config.topics().results(), job.key(), MessageCodec.encode(r)));
      results.add(r);
    }

    void fail(AttackJob job, ConsumerRecord<String, byte[]> source, JobResult failed, String field,
        String reason) {
      JobFailure failure = new JobFailure(MessageCodec.SCHEMA_VERSION, job.jobId(), job.attempt(),
          config.workerId(), field, reason, payload(source), Instant.now());
      records.add(DeadLetterHeaders.letter(config.topics().dlq(), job.key(), source, MessageCodec.encode(failure),
          field, reason));
      dlq++;
      result(job, failed);
    }

    void retryOrFail(AttackJob job, ConsumerRecord<String, byte[]> source, String field, String reason,
        long wallMillis) {
      if (job.attempt() < config.maxAttempts()) {
        AttackJob next = job.nextAttempt();
        LOG.warn("job {} attempt {} failed, republished as attempt {}: {}", job.jobId(), job.attempt(),
            next.attempt(), reason);
        // back to the source's own partition: the coordinator places jobs (JobPlacement), not the key hash
        records.add(new ProducerRecord<>(config.topics().jobs(), source.partition(), job.key(), MessageCodec.encode(next)));
        retried++;
      } else {
        String why = "failed " + job.attempt() + " attempt(s); last: " + reason;
        fail(job, source, JobResult.failed(job, config.workerId(), field, why, wallMillis), field, why);
      }
    }

    Plan plan() {
      return new Plan(List.copyOf(records), List.copyOf(results), dlq, retried);
    }
  }
}

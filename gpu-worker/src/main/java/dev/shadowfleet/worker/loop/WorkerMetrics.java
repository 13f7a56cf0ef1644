package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.JobStatus;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/** The worker's counters, written by the loop, read by the health endpoint (Prometheus text). */
public final class WorkerMetrics {
  private final Map<JobStatus, AtomicLong> jobs = new EnumMap<>(JobStatus.class);
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong dlqMalformed = new AtomicLong();
  private final AtomicLong dlqFailed = new AtomicLong();
  private final AtomicLong handedBack = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final DoubleAdder batchSeconds = new DoubleAdder();
  private final DoubleAdder kafkaSeconds = new DoubleAdder();
  private final AtomicLong kafkaJobs = new AtomicLong();
  private final AtomicLong commitFailures = new AtomicLong();
  private final AtomicLong lastPollNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong inFlight = new AtomicLong();

  public WorkerMetrics() {
    for (JobStatus s : JobStatus.values()) {
      jobs.put(s, new AtomicLong());
    }
  }

  void job(JobStatus status) {
    jobs.get(status).incrementAndGet();
  }

  void retried(int n) {
    retried.addAndGet(n);
  }

  void dlqMalformed() {
    dlqMalformed.incrementAndGet();
  }

  void dlqFailed(int n) {
    dlqFailed.addAndGet(n);
  }

  void handedBack(int n) {
    handedBack.addAndGet(n);
  }

  void batch(double seconds) {
    batches.incrementAndGet();
    batchSeconds.add(seconds);
  }

  /** Time spent publishing a batch's messages, waiting for the acks and committing. */
  void kafka(double seconds, int jobCount) {
    kafkaSeconds.add(seconds);
    kafkaJobs.addAndGet(jobCount);
  }

  void commitFailed() {
    commitFailures.incrementAndGet();
  }

  void polled() {
    lastPollNanos.set(System.nanoTime());
  }

  void inFlight(int jobCount) {
    inFlight.set(jobCount);
  }

  public long jobs(JobStatus status) {
    return jobs.get(status).get();
  }

  public long retried() {
    return retried.get();
  }

  public long dlq() {
    return dlqMalformed.get() + dlqFailed.get();
  }

  public long handedBack() {
    return handedBack.get();
  }

  public int inFlight() {
    return (int) inFlight.get();
  }

  /** Seconds since the loop last returned from {@code poll()}. */
  public double lastPollAgeSeconds() {
    return (System.nanoTime() - lastPollNanos.get()) / 1e9;
  }

  /** Mean publish + ack + commit milliseconds per job so far (NaN before the first batch). */
  public double kafkaMillisPerJob() {
    long n = kafkaJobs.get();
    return n == 0 ? Double.NaN : kafkaSeconds.sum() * 1000 / n;
  }

  /** Prometheus text exposition format 0.0.4. */
  public String prometheus(String workerId, String device) {
    StringBuilder sb = new StringBuilder();
    String labels = "worker=\"" + escape(workerId) + "\"";
    sb.append("# HELP shadowfleet_worker_info Worker identity and compute device.\n")
        .append("# TYPE shadowfleet_worker_info gauge\n")
        .append("shadowfleet_worker_info{").append(labels).append(",device=\"").append(escape(device))
        .append("\"} 1\n");
    sb.append("# HELP shadowfleet_worker_jobs_total Jobs finished, by status.\n")
        .append("# TYPE shadowfleet_worker_jobs_total counter\n");
    jobs.forEach((s, n) -> sb.append("shadowfleet_worker_jobs_total{").append(labels)
        .append(",status=\"").append(s.name().toLowerCase(Locale.ROOT)).append("\"} ").append(n.get())
        .append('\n'));
    counter(sb, "shadowfleet_worker_jobs_retried_total", "Jobs republished for another attempt.", labels,
        retried.get());
    sb.append("# HELP shadowfleet_worker_dlq_total Messages sent to the DLQ, by cause.\n")
        .append("# TYPE shadowfleet_worker_dlq_total counter\n")
        .append("shadowfleet_worker_dlq_total{").append(labels).append(",cause=\"malformed\"} ")
        .append(dlqMalformed.get()).append('\n')
        .append("shadowfleet_worker_dlq_total{").append(labels).append(",cause=\"failed\"} ")
        .append(dlqFailed.get()).append('\n');
    counter(sb, "shadowfleet_worker_jobs_handed_back_total",
        "Jobs left uncommitted for another worker (revoked, or shutdown deadline passed).", labels,
        handedBack.get());
    counter(sb, "shadowfleet_worker_commit_failures_total", "Offset commits that failed (work redone).",
        labels, commitFailures.get());
    sb.append("# HELP shadowfleet_worker_batch_seconds Compute time of image batches.\n")
        .append("# TYPE shadowfleet_worker_batch_seconds summary\n")
        .append("shadowfleet_worker_batch_seconds_sum{").append(labels).append("} ")
        .append(batchSeconds.sum()).append('\n')
        .append("shadowfleet_worker_batch_seconds_count{").append(labels).append("} ")
        .append(batches.get()).append('\n');
    sb.append("# HELP shadowfleet_worker_kafka_seconds Publish, ack and commit time, per job.\n")
        .append("# TYPE shadowfleet_worker_kafka_seconds summary\n")
        .append("shadowfleet_worker_kafka_seconds_sum{").append(labels).append("} ")
        .append(kafkaSeconds.sum()).append('\n')
        .append("shadowfleet_worker_kafka_seconds_count{").append(labels).append("} ")
        .append(kafkaJobs.get()).append('\n');
    gauge(sb, "shadowfleet_worker_last_poll_age_seconds", "Seconds since the loop last polled.", labels,
        lastPollAgeSeconds());
    gauge(sb, "shadowfleet_worker_in_flight_jobs", "Jobs of the batch computing now.", labels,
        inFlight.get());
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help, String labels, long value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" counter\n")
        .append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }

  private static void gauge(StringBuilder sb, String name, String help, String labels, double value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n")
        .append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}

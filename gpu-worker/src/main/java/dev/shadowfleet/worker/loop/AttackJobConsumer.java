package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.MessageException;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.worker.loop.JobProcessor.BatchCancelledException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's consumer loop (FLEET-NOTES.md, STYLE.md "Kafka loops"). One thread owns the
 * consumer and the producer. Per image batch (the records of one sweep/model/image key, gathered over
 * polls until every target of the image is there or {@link WorkerConfig#batchWait} passed): pause the
 * partitions, tell the coordinator the jobs started, run the batch on the compute thread while polling
 * on (heartbeats, no eviction however long it runs), then publish its results, wait for the acks,
 * commit exactly the finished offsets, resume. At-least-once: a crash anywhere redoes the batch elsewhere, the sink dedups by job id.
 */
public final class AttackJobConsumer implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AttackJobConsumer.class);

  private final WorkerConfig config;
  private final JobProcessor processor;
  private final SweepControlView sweeps;
  private final WorkerMetrics metrics;
  private final BatchOutcomes outcomes;
  private final OffsetTracker offsets = new OffsetTracker();
  private final Deque<ImageBatch> queue = new ArrayDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile boolean running;
  private volatile Throwable failure;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private KafkaProducer<String, byte[]> producer;
  private ExecutorService compute;
  private InFlight inFlight;

  /**
   * The records of one key (sweep/model/image on one partition), attacked together. Records of the key
   * that arrive in later polls join it while it waits in the queue ({@link #isComplete} or {@link
   * WorkerConfig#batchWait}).
   */
  static final class ImageBatch {
    private final TopicPartition partition;
    private final String key;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    private final List<AttackJob> jobs = new ArrayList<>();
    /** System.nanoTime() after which it starts even if incomplete; 0 while its clock is stopped. */
    long waitDeadline;

    ImageBatch(TopicPartition partition, String key) {
      this.partition = partition;
      this.key = key;
    }

    ImageBatch(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records, List<AttackJob> jobs) {
      this(partition, partition + "|" + jobs.get(0).key());
      for (int i = 0; i < jobs.size(); i++) {
        add(records.get(i), jobs.get(i));
      }
    }

    void add(ConsumerRecord<String, byte[]> record, AttackJob job) {
      records.add(record);
      jobs.add(job);
    }

    TopicPartition partition() {
      return partition;
    }

    List<ConsumerRecord<String, byte[]>> records() {
      return records;
    }

    List<AttackJob> jobs() {
      return jobs;
    }

    String sweepId() {
      return jobs.get(0).sweepId();
    }

    List<String> jobIds() {
      return jobs.stream().map(AttackJob::jobId).toList();
    }

    /** Holds a job for every target its image has in the sweep ({@link AttackJob#imageTargets}). */
    boolean isComplete() {
      java.util.Set<Integer> have = new java.util.HashSet<>();
      jobs.forEach(j -> have.add(j.target()));
      return jobs.stream().allMatch(j -> have.containsAll(j.imageTargets()));
    }
  }

  private static final class InFlight {
    final ImageBatch batch;
    final AtomicBoolean handedBack = new AtomicBoolean();
    final long startNanos = System.nanoTime();
    /** When its started record was last sent ({@link WorkerConfig#startedRefresh}). */
    long startedSentNanos = startNanos;
    volatile long endNanos;
    Future<List<JobResult>> future;

    InFlight(ImageBatch batch) {
      this.batch = batch;
    }
  }

  public AttackJobConsumer(
      WorkerConfig config, JobProcessor processor, SweepControlView sweeps, WorkerMetrics metrics) {
    this.config = config;
    this.processor = processor;
    this.sweeps = sweeps;
    this.metrics = metrics;
    this.outcomes = new BatchOutcomes(config);
  }

  @Override
  public void run() {
    compute = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "compute-" + config.workerId());
      t.setDaemon(true);
      return t;
    });
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config.consumerProperties());
        KafkaProducer<String, byte[]> p = new KafkaProducer<>(config.producerProperties())) {
      consumer = c;
      producer = p;
      c.subscribe(List.of(config.topics().jobs()), new Rebalance(c));
      running = true;
      LOG.info("worker {} consuming {} as group {}", config.workerId(), config.topics().jobs(),
          config.groupId());
      while (!closed) {
        step(c);
      }
      drain(c);
      commit(c, offsets.committable());
      LOG.info("worker {} leaving the group", config.workerId());
    } catch (RuntimeException | Error e) {
      failure = e;
      LOG.error("worker {} stopped by a fatal error: {}", config.workerId(), e.toString(), e);
    } finally {
      running = false;
      compute.shutdownNow();
      stopped.countDown();
    }
  }

  /** One turn of the loop: poll (heartbeat), take new batches, finish or start the batch. */
  private void step(KafkaConsumer<String, byte[]> c) {
    ConsumerRecords<String, byte[]> records = ConsumerRecords.empty();
    try {
      records = c.poll(config.pollTimeout());
    } catch (WakeupException e) {
      // close() (the while condition sees it), or the batch just finished: look at it now
    }
    metrics.polled();
    if (!records.isEmpty()) {
      accept(c, records);
    }
    if (inFlight != null && inFlight.future.isDone()) {
      finish(c);
    } else if (inFlight != null && System.nanoTime() - inFlight.startedSentNanos >= config.startedRefresh().toNanos()) {
      publishStarted(inFlight.batch); // still computing: the coordinator must not take it for abandoned
      inFlight.startedSentNanos = System.nanoTime();
    }
    while (inFlight == null && !closed) {
      ImageBatch next = nextReady();
      if (next == null) {
        break;
      }
      start(c, next);
    }
    if (inFlight == null && !c.paused().isEmpty()) {
      c.resume(c.paused()); // idle, or waiting for the rest of an image: fetch
    }
  }

  /**
   * The first queued batch that may start: a complete one (every target of its image), one of a
   * cancelled sweep, or one that waited {@link WorkerConfig#batchWait} for the rest of its image while
   * the partitions were fetching. Its clock runs only while nothing computes (the partitions are paused
   * then, and the missing records could not arrive).
   */
  private ImageBatch nextReady() {
    long now = System.nanoTime();
    for (var it = queue.iterator(); it.hasNext(); ) {
      ImageBatch b = it.next();
      boolean ready = b.isComplete() || sweeps.isCancelled(b.sweepId());
      if (!ready && b.waitDeadline == 0) {
        b.waitDeadline = now + Math.max(1, config.batchWait().toNanos());
      } else if (!ready && now - b.waitDeadline >= 0) {
        ready = true;
        LOG.info("jobs {} start without the rest of their image ({} of {} targets after {} ms)", b.jobIds(),
            b.jobs().size(), b.jobs().get(0).imageTargets().size(), config.batchWait().toMillis());
      }
      if (ready) {
        it.remove();
        return b;
      }
    }
    return null;
  }

  /** Decodes the polled records: malformed ones to the DLQ at once, the rest grouped by key. */
  private void accept(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
    Map<String, List<ConsumerRecord<String, byte[]>>> byKey = new LinkedHashMap<>();
    Map<String, List<AttackJob>> jobsByKey = new LinkedHashMap<>();
    List<ProducerRecord<String, byte[]>> malformed = new ArrayList<>();
    List<ConsumerRecord<String, byte[]>> malformedSources = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      offsets.track(tp, r.offset());
      try {
        AttackJob job = MessageCodec.decodeJob(r.value());
        String key = tp + "|" + job.key();
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        jobsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(job);
      } catch (MessageException e) {
        LOG.warn("job ? at {}-{}@{} malformed, to the DLQ: {}: {}", r.topic(), r.partition(), r.offset(),
            e.field(), e.getMessage());
        malformed.add(outcomes.malformed(r, e));
        malformedSources.add(r);
      }
    }
    List<Integer> rewound = List.of();
    if (!malformed.isEmpty()) {
      if (publishAndCommit(c, malformedSources, malformed)) {
        malformed.forEach(m -> metrics.dlqMalformed());
      } else { // those partitions were rewound: their records come again with the next polls
        rewound = malformedSources.stream().map(ConsumerRecord::partition).distinct().toList();
      }
    }
    for (var e : byKey.entrySet()) {
      List<ConsumerRecord<String, byte[]>> recs = e.getValue();
      if (rewound.contains(recs.get(0).partition())) {
        continue;
      }
      List<AttackJob> jobs = jobsByKey.get(e.getKey());
      ImageBatch waiting = queue.stream().filter(b -> b.key.equals(e.getKey())).findFirst().orElse(null);
      if (waiting != null) { // the rest of an image whose first records came in an earlier poll
        for (int i = 0; i < recs.size(); i++) {
          waiting.add(recs.get(i), jobs.get(i));
        }
      } else {
        queue.add(new ImageBatch(new TopicPartition(recs.get(0).topic(), recs.get(0).partition()), recs, jobs));
      }
    }
  }

  /** Starts a batch on the compute thread, or reports a cancelled sweep's batch without compute. */
  private void start(KafkaConsumer<String, byte[]> c, ImageBatch batch) {
    if (sweeps.isCancelled(batch.sweepId())) {
      LOG.info("jobs {} of cancelled sweep {}: reported CANCELLED without compute", batch.jobIds(),
          batch.sweepId());
      complete(c, batch, outcomes.cancelled(batch));
      return;
    }
    c.pause(c.assignment());
    queue.forEach(b -> b.waitDeadline = 0); // no fetching while it computes: stop their clocks
    publishStarted(batch);
    InFlight f = new InFlight(batch);
    JobProcessor.CancellationSignal signal =
        () -> f.handedBack.get() || sweeps.isCancelled(batch.sweepId());
    f.future = compute.submit(() -> {
      try {
        return processor.process(batch.jobs(), signal);
      } finally {
        f.endNanos = System.nanoTime();
        c.wakeup(); // end the current poll now rather than after the poll timeout
      }
    });
    inFlight = f;
    metrics.inFlight(batch.jobs().size());
    LOG.info("jobs {} started (attempts {}, partition {})", batch.jobIds(),
        batch.jobs().stream().map(AttackJob::attempt).toList(), batch.partition());
  }

  /**
   * Tells the coordinator the batch's jobs are RUNNING: one small record ahead of their results on the
   * results topic, not waited for (a lost one only leaves the jobs QUEUED until their results). Sent again
   * every {@link WorkerConfig#startedRefresh} while the batch computes: the coordinator returns RUNNING jobs
   * whose latest one is too old to QUEUED (their worker died).
   */
  private void publishStarted(ImageBatch batch) {
    JobsStarted started = JobsStarted.of(batch.jobs(), config.workerId());
    ProducerRecord<String, byte[]> r =
        new ProducerRecord<>(config.topics().results(), started.key(), MessageCodec.encode(started));
    r.headers().add(Topics.TYPE_HEADER, JobsStarted.TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try {
      producer.send(r, (m, e) -> {
        if (e != null) {
          LOG.warn("jobs {}: started record not sent: {}", started.jobIds(), e.toString());
        }
      });
    } catch (KafkaException e) {
      if (ErrorTier.of(e) == ErrorTier.FATAL) {
        throw e;
      }
      LOG.warn("jobs {}: started record not sent: {}", started.jobIds(), e.toString());
    }
  }

  /** The computing batch is done: decide its outcome, publish it, commit. */
  private void finish(KafkaConsumer<String, byte[]> c) {
    InFlight f = inFlight;
    inFlight = null;
    metrics.inFlight(0);
    double seconds = ((f.endNanos != 0 ? f.endNanos : System.nanoTime()) - f.startNanos) / 1e9;
    if (f.handedBack.get()) {
      LOG.info("jobs {} handed back uncommitted after {} s (partition revoked or shutdown)",
          f.batch.jobIds(), String.format("%.1f", seconds));
      metrics.handedBack(f.batch.jobs().size());
      return;
    }
    metrics.batch(seconds);
    long wallMillis = Math.round(seconds * 1000);
    BatchOutcomes.Plan plan;
    try {
      plan = outcomes.ofResults(f.batch, f.future.get(), wallMillis);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BatchCancelledException && sweeps.isCancelled(f.batch.sweepId())) {
        LOG.info("jobs {} stopped: sweep {} cancelled", f.batch.jobIds(), f.batch.sweepId());
        plan = outcomes.cancelled(f.batch);
      } else if (ErrorTier.of(cause) == ErrorTier.FATAL) {
        if (cause instanceof Error err) {
          throw err;
        }
        throw new KafkaException("fatal error in jobs " + f.batch.jobIds(), cause);
      } else {
        LOG.warn("jobs {} failed ({}): {}", f.batch.jobIds(), ErrorTier.of(cause), cause.toString());
        plan = outcomes.ofFailure(f.batch, cause, wallMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while finishing a batch", e);
    }
    complete(c, f.batch, plan);
  }

  private void complete(KafkaConsumer<String, byte[]> c, ImageBatch batch, BatchOutcomes.Plan plan) {
    if (publishAndCommit(c, batch.records(), plan.records())) {
      plan.results().forEach(r -> {
        metrics.job(r.status());
        BatchOutcomes.logSummary(r);
      });
      metrics.dlqFailed(plan.dlq());
      metrics.retried(plan.retried());
    }
  }

  /**
   * Sends {@code out}, waits for every ack, marks {@code sources} finished and commits. If a send
   * fails, nothing is committed and the partition is rewound to redo the records.
   *
   * @return true when everything was acked
   */
  private boolean publishAndCommit(KafkaConsumer<String, byte[]> c,
      List<ConsumerRecord<String, byte[]>> sources, List<ProducerRecord<String, byte[]>> out) {
    long t0 = System.nanoTime();
    List<Future<RecordMetadata>> acks = new ArrayList<>(out.size());
    try {
      for (ProducerRecord<String, byte[]> r : out) {
        acks.add(producer.send(r));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while waiting for acks", e);
    } catch (ExecutionException | KafkaException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (ErrorTier.of(cause) == ErrorTier.FATAL) {
        throw cause instanceof KafkaException k ? k : new KafkaException(cause);
      }
      rewind(c, sources, cause);
      return false;
    }
    for (ConsumerRecord<String, byte[]> r : sources) {
      offsets.finished(new TopicPartition(r.topic(), r.partition()), r.offset());
    }
    commit(c, offsets.committable());
    metrics.kafka((System.nanoTime() - t0) / 1e9, sources.size());
    return true;
  }

  /** A publish failed: seek back so the records are polled and done again; drop what is queued. */
  private void rewind(KafkaConsumer<String, byte[]> c, List<ConsumerRecord<String, byte[]>> sources,
      Throwable cause) {
    List<TopicPartition> tps = sources.stream()
        .map(r -> new TopicPartition(r.topic(), r.partition())).distinct().toList();
    LOG.warn("publishing for offsets {} failed, redoing them: {}",
        sources.stream().map(r -> r.partition() + "@" + r.offset()).toList(), cause.toString());
    for (TopicPartition tp : tps) {
      offsets.firstUnfinished(tp).ifPresent(o -> c.seek(tp, o));
    }
    queue.removeIf(b -> tps.contains(b.partition()));
    offsets.forget(tps);
  }

  /** Commits finished work. A failed commit only means the work is redone (the sink dedups). */
  private void commit(KafkaConsumer<String, byte[]> c, Map<TopicPartition, OffsetAndMetadata> positions) {
    if (positions.isEmpty()) {
      return;
    }
    for (int attempt = 1; attempt <= 2; attempt++) {
      try {
        c.commitSync(positions);
        offsets.committed(positions);
        LOG.debug("committed {}", positions);
        return;
      } catch (WakeupException e) {
        // close() called wakeup() while committing: commit once more, then the loop ends
      } catch (CommitFailedException | RebalanceInProgressException e) {
        metrics.commitFailed();
        LOG.warn("commit of {} failed (group rebalanced): the new owner redoes it: {}", positions,
            e.toString());
        return;
      } catch (KafkaException e) {
        if (ErrorTier.of(e) == ErrorTier.FATAL) {
          throw e;
        }
        metrics.commitFailed();
        LOG.warn("commit of {} failed, retried with the next one: {}", positions, e.toString());
        return;
      }
    }
  }

  /** SIGTERM: let the computing batch finish within the deadline, or hand it back. */
  private void drain(KafkaConsumer<String, byte[]> c) {
    if (inFlight == null) {
      return;
    }
    long deadline = System.nanoTime() + config.shutdownDeadline().toNanos();
    LOG.info("jobs {} computing at shutdown: waiting up to {} s", inFlight.batch.jobIds(),
        config.shutdownDeadline().toSeconds());
    while (!inFlight.future.isDone() && System.nanoTime() < deadline) {
      try {
        ConsumerRecords<String, byte[]> more = c.poll(config.pollTimeout());
        metrics.polled();
        if (!more.isEmpty()) {
          accept(c, more); // queued, never started: they stay uncommitted for the next owner
        }
      } catch (WakeupException e) {
        // a second signal: keep waiting until the deadline
      }
    }
    if (inFlight != null && !inFlight.future.isDone()) {
      inFlight.handedBack.set(true);
    }
    if (inFlight != null) {
      finish(c);
    }
  }

  private void handBack(Collection<TopicPartition> partitions, String why) {
    if (inFlight != null && partitions.contains(inFlight.batch.partition())) {
      inFlight.handedBack.set(true);
      LOG.info("jobs {} will not be committed: partition {} {}", inFlight.batch.jobIds(),
          inFlight.batch.partition(), why);
    }
    queue.removeIf(b -> partitions.contains(b.partition()));
  }

  /** Runs on the consumer thread, inside poll(). */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;

    Rebalance(KafkaConsumer<String, byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      handBack(partitions, "revoked");
      commit(c, offsets.committable(partitions)); // completed work only
      offsets.forget(partitions);
      LOG.info("worker {} revoked {}", config.workerId(), partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      handBack(partitions, "lost"); // never commit: another worker may own them already
      offsets.forget(partitions);
      LOG.warn("worker {} lost {}", config.workerId(), partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (inFlight != null || !queue.isEmpty()) {
        c.pause(c.assignment()); // pause state is not kept across a rebalance
      }
      LOG.info("worker {} assigned {}", config.workerId(), partitions);
    }
  }

  /** Stops the loop: the current batch finishes within the shutdown deadline or is handed back. */
  @Override
  public void close() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** Waits until {@link #run} has returned. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Subscribed and polling. */
  public boolean isRunning() {
    return running && !closed;
  }

  /** The error that stopped the loop, or null. */
  public Throwable failure() {
    return failure;
  }
}

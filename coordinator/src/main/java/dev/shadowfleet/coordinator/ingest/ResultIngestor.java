package dev.shadowfleet.coordinator.ingest;

import dev.shadowfleet.common.message.DeadLetterHeaders;
import dev.shadowfleet.common.message.DeadLetterPayload;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.MessageException;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.coordinator.sweep.CoordinatorConfig;
import dev.shadowfleet.coordinator.sweep.KafkaClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The result consumer: one thread, one {@link KafkaConsumer} on {@link Topics#RESULTS} and {@link
 * Topics#JOBS_DLQ}. Per poll: decode (results; the workers' started records, told apart by the {@link
 * Topics#TYPE_HEADER} header; job failures), write the whole batch in one database transaction ({@link
 * ResultBatchWriter}), publish the unreadable or refused records to {@link Topics#RESULTS_DLQ} (with their
 * key and headers and where they came from, {@link DeadLetterHeaders}), then
 * commit exactly the polled offsets. A crash before the commit replays the batch, which the database
 * absorbs (one result per job id). Errors in tiers: a record that cannot be read or stored goes to the
 * DLQ; a database or broker outage is retried from the same offsets; nothing stops the loop.
 */
@ApplicationScoped
public class ResultIngestor {
  private static final Logger LOG = Logger.getLogger(ResultIngestor.class);
  private static final String WORKER_ID = "coordinator";

  private final KafkaClients kafka;
  private final CoordinatorConfig config;
  private final ResultBatchWriter writer;
  private final Counter ingested;
  private final Counter duplicates;
  private final Counter dead;
  private final Counter failedJobs;
  private final Timer batchTimer;
  private final Map<Integer, AtomicLong> lags = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<KafkaConsumer<byte[], byte[]>> consumers = new java.util.concurrent.CopyOnWriteArrayList<>();

  private volatile boolean running;
  private volatile List<Thread> threads = List.of();

  public ResultIngestor(KafkaClients kafka, CoordinatorConfig config, ResultBatchWriter writer, MeterRegistry meters) {
    this.kafka = kafka;
    this.config = config;
    this.writer = writer;
    this.ingested = Counter.builder("shadowfleet.results.ingested").description("results stored (first delivery of a job)").register(meters);
    this.duplicates = Counter.builder("shadowfleet.results.duplicates").description("redelivered results ignored").register(meters);
    this.dead = Counter.builder("shadowfleet.results.dlq").description("results sent to the results DLQ").register(meters);
    this.failedJobs = Counter.builder("shadowfleet.jobs.failed").description("jobs marked FAILED from the jobs DLQ").register(meters);
    this.batchTimer = Timer.builder("shadowfleet.ingest.batch").register(meters);
    Gauge.builder("shadowfleet.results.consumer.lag", this, ResultIngestor::lag).description("records behind the end of the results topic").register(meters);
  }

  void onStart(@Observes StartupEvent e) {
    if (config.ingest().enabled()) {
      start();
    }
  }

  void onStop(@Observes ShutdownEvent e) {
    stop();
  }

  /**
   * Starts {@code shadowfleet.ingest.consumers} consumer threads of one group (no-op when they run).
   * The partitions are split between them; all results of one image share a partition, so two threads
   * never write the same image outcome, and the rows they share (sweep counters, job costs) are locked in
   * one order.
   */
  public synchronized void start() {
    if (isAlive()) {
      return;
    }
    running = true;
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < config.ingest().consumers(); i++) {
      int n = i;
      Thread t = new Thread(() -> run(n), "result-ingestor-" + i);
      t.setDaemon(true);
      t.start();
      started.add(t);
    }
    threads = List.copyOf(started);
  }

  public synchronized void stop() {
    running = false;
    consumers.forEach(KafkaConsumer::wakeup);
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    threads = List.of();
  }

  /** True while every consumer thread runs. */
  public boolean isAlive() {
    List<Thread> ts = threads;
    return !ts.isEmpty() && ts.stream().allMatch(Thread::isAlive);
  }

  /** Records behind the end of the results topic's partitions, as of each consumer's last poll. */
  public long lag() {
    return lags.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private void run(int index) {
    kafka.ensureTopics();
    AtomicLong lag = lags.computeIfAbsent(index, k -> new AtomicLong());
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(kafka.consumer("shadowfleet-ingestor-" + index, config.ingest().groupId(), config.ingest().maxPollRecords()));
    consumers.add(c);
    try (c;
        KafkaProducer<byte[], byte[]> dlq = new KafkaProducer<>(kafka.producer("shadowfleet-ingestor-dlq-" + index))) {
      c.subscribe(List.of(Topics.RESULTS, Topics.JOBS_DLQ));
      while (running) {
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
        lag.set(lagOf(c));
        if (records.isEmpty()) {
          continue;
        }
        if (!handle(records, dlq)) {
          rewind(c, records);
          sleep(1_000);
          continue;
        }
        try {
          c.commitSync(offsets(records));
        } catch (CommitFailedException e) {
          LOG.warnf("offset commit failed after a rebalance; the batch will be replayed (harmless): %s", e.getMessage());
        }
      }
    } catch (WakeupException e) {
      if (running) {
        LOG.error("result consumer woken up unexpectedly", e);
      }
    } catch (RuntimeException e) {
      LOG.error("result consumer stopped", e);
    } finally {
      consumers.remove(c);
      lag.set(0);
    }
  }

  /** Processes one poll; false when the batch must be retried (database or broker unavailable). */
  boolean handle(ConsumerRecords<byte[], byte[]> records, KafkaProducer<byte[], byte[]> dlq) {
    long start = System.nanoTime();
    List<ResultBatchWriter.Incoming> results = new ArrayList<>(records.count());
    Map<JobResult, ConsumerRecord<byte[], byte[]>> origin = new IdentityHashMap<>();
    List<JobFailure> failures = new ArrayList<>();
    List<JobsStarted> started = new ArrayList<>();
    List<Letter> deadLetters = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
    records.forEach(list::add);
    // Decoding is the consumer's main CPU cost: spread it over the cores, keep the poll order.
    List<Object> decoded = list.parallelStream().map(ResultIngestor::decode).toList();
    for (int i = 0; i < list.size(); i++) {
      ConsumerRecord<byte[], byte[]> rec = list.get(i);
      Object d = decoded.get(i);
      if (d instanceof JobFailure f) {
        failures.add(f);
      } else if (d instanceof JobsStarted st) {
        started.add(st);
      } else if (d instanceof ResultBatchWriter.Incoming in) {
        results.add(in);
        origin.put(in.result(), rec);
      } else if (rec.topic().equals(Topics.JOBS_DLQ)) {
        MessageException e = (MessageException) d;
        LOG.warnf("unreadable record on %s-%d@%d: %s", rec.topic(), rec.partition(), rec.offset(), e.getMessage());
      } else {
        MessageException e = (MessageException) d;
        deadLetters.add(deadLetter(rec, null, e.field(), e.getMessage()));
      }
    }
    long decodedAt = System.nanoTime();
    ResultBatchWriter.Summary summary;
    try {
      summary = QuarkusTransaction.requiringNew().timeout(120).call(() -> writer.write(results, failures, started));
    } catch (RuntimeException e) {
      if (!isDataError(e)) {
        LOG.warnf("ingestion batch of %d failed, retrying from the same offsets: %s", records.count(), rootMessage(e));
        return false;
      }
      // One record the database refuses must not block the others: write them one by one.
      summary = oneByOne(results, failures, started, deadLetters, origin);
      if (summary == null) {
        return false;
      }
    }
    for (ResultBatchWriter.Rejected r : summary.rejected()) {
      deadLetters.add(deadLetter(origin.get(r.result()), r.result().jobId(), r.field(), r.reason()));
    }
    if (!publishDeadLetters(dlq, deadLetters)) {
      return false;
    }
    if (LOG.isDebugEnabled()) {
      LOG.debugf("batch of %d: decode %d ms, database %d ms", records.count(), (decodedAt - start) / 1_000_000,
          (System.nanoTime() - decodedAt) / 1_000_000);
    }
    ingested.increment(summary.stored());
    duplicates.increment(summary.duplicates());
    failedJobs.increment(summary.failuresApplied());
    dead.increment(deadLetters.size());
    batchTimer.record(Duration.ofNanos(System.nanoTime() - start));
    return true;
  }

  /**
   * A JobFailure (jobs DLQ), a JobsStarted (results topic, type header), an Incoming result, or the
   * MessageException saying why it is unreadable.
   */
  private static Object decode(ConsumerRecord<byte[], byte[]> rec) {
    try {
      if (rec.topic().equals(Topics.JOBS_DLQ)) {
        return MessageCodec.decodeFailure(rec.value());
      }
      Header type = rec.headers().lastHeader(Topics.TYPE_HEADER);
      if (type != null) {
        String name = new String(type.value(), StandardCharsets.UTF_8);
        if (!name.equals(JobsStarted.TYPE)) {
          return new MessageException(Topics.TYPE_HEADER, "unknown record type `" + name + "`");
        }
        return MessageCodec.decodeStarted(rec.value());
      }
      return ResultBatchWriter.Incoming.of(MessageCodec.decodeResult(rec.value()), rec.value());
    } catch (MessageException e) {
      return e;
    }
  }

  private ResultBatchWriter.Summary oneByOne(
      List<ResultBatchWriter.Incoming> results, List<JobFailure> failures, List<JobsStarted> started,
      List<Letter> deadLetters, Map<JobResult, ConsumerRecord<byte[], byte[]>> origin) {
    for (JobsStarted st : started) {
      try {
        QuarkusTransaction.requiringNew().call(() -> writer.write(List.of(), List.of(), List.of(st)));
      } catch (RuntimeException e) {
        if (!isDataError(e)) {
          return null;
        }
        LOG.warnf("started record of %s not applied: %s", st.jobIds(), rootMessage(e));
      }
    }
    int stored = 0;
    int dups = 0;
    int applied = 0;
    List<ResultBatchWriter.Rejected> rejected = new ArrayList<>();
    for (ResultBatchWriter.Incoming in : results) {
      JobResult r = in.result();
      try {
        ResultBatchWriter.Summary s = QuarkusTransaction.requiringNew().call(() -> writer.write(List.of(in), List.of()));
        stored += s.stored();
        dups += s.duplicates();
        rejected.addAll(s.rejected());
      } catch (RuntimeException e) {
        if (!isDataError(e)) {
          return null;
        }
        deadLetters.add(deadLetter(origin.get(r), r.jobId(), "$", "the database refused the result: " + rootMessage(e)));
      }
    }
    for (JobFailure f : failures) {
      try {
        applied += QuarkusTransaction.requiringNew().call(() -> writer.write(List.of(), List.of(f))).failuresApplied();
      } catch (RuntimeException e) {
        if (!isDataError(e)) {
          return null;
        }
        LOG.warnf("job failure for %s could not be stored: %s", f.jobId(), rootMessage(e));
      }
    }
    return new ResultBatchWriter.Summary(stored, dups, applied, rejected);
  }

  private boolean publishDeadLetters(KafkaProducer<byte[], byte[]> dlq, List<Letter> letters) {
    if (letters.isEmpty()) {
      return true;
    }
    try {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (Letter l : letters) {
        acks.add(dlq.send(DeadLetterHeaders.letter(Topics.RESULTS_DLQ, l.source().key(), l.source(),
            MessageCodec.encode(l.failure()), l.failure().field(), l.failure().reason())));
      }
      dlq.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
      LOG.warnf("%d result(s) sent to %s, first: %s", letters.size(), Topics.RESULTS_DLQ, letters.get(0).failure().reason());
      return true;
    } catch (Exception e) {
      LOG.warnf("cannot publish to %s, retrying the batch: %s", Topics.RESULTS_DLQ, e.toString());
      return false;
    }
  }

  /** A refused record and the failure its letter carries. */
  private record Letter(ConsumerRecord<byte[], byte[]> source, JobFailure failure) {}

  /**
   * The letter for {@code source}: its key and headers, where it was and why it is refused ({@link
   * DeadLetterHeaders}), and a {@link JobFailure} with its bytes (bounded, {@link DeadLetterPayload}).
   */
  private static Letter deadLetter(ConsumerRecord<byte[], byte[]> source, String jobId, String field, String reason) {
    return new Letter(source, new JobFailure(
        MessageCodec.SCHEMA_VERSION, jobId, 0, WORKER_ID, field, reason,
        DeadLetterPayload.of(source.value()), Instant.now()));
  }

  /** SQLSTATE class 22 (data exception) or 23 (integrity violation): the record, not the database. */
  private static boolean isDataError(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SQLException s && s.getSQLState() != null
          && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23"))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage();
  }

  private static Map<TopicPartition, OffsetAndMetadata> offsets(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
      out.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
    }
    return out;
  }

  private static void rewind(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      c.seek(tp, records.records(tp).get(0).offset());
    }
  }

  private static long lagOf(KafkaConsumer<byte[], byte[]> c) {
    long total = 0;
    for (TopicPartition tp : c.assignment()) {
      if (tp.topic().equals(Topics.RESULTS)) {
        total += c.currentLag(tp).orElse(0);
      }
    }
    return total;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

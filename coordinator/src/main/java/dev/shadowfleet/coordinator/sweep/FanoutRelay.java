package dev.shadowfleet.coordinator.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobPlacement;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.SweepControl;
import dev.shadowfleet.common.message.Topics;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Fan-out: publishes the jobs of active sweeps to {@link Topics#JOBS} and pending control messages to
 * {@link Topics#SWEEPS}.
 *
 * <p>Crash safety is a per-sweep cursor over the jobs table ("published through"), not an outbox:
 * the jobs are stored in the sweep's own transaction, numbered by seq, and the relay, per page, reads
 * jobs [cursor, cursor + page), sends them, waits until the broker acknowledged all of them ({@code
 * acks=all}), and only then moves the cursor in the database. A crash anywhere loses nothing (the
 * cursor never passes an unacknowledged job) and re-publishes at most one page, which is harmless: job
 * ids are deterministic and ingestion stores one result per job id. Compared with an outbox, nothing
 * is written or deleted per job besides the job row itself. The sweep row is locked ({@code FOR UPDATE
 * SKIP LOCKED}) while its page is in flight, so two coordinators never publish the same page.
 */
@ApplicationScoped
public class FanoutRelay {
  private static final Logger LOG = Logger.getLogger(FanoutRelay.class);

  private final AgroalDataSource dataSource;
  private final JobRepository jobs;
  private final KafkaClients kafka;
  private final CoordinatorConfig config;
  private final ObjectMapper json;
  private final Counter published;
  private final Counter controls;
  private final Semaphore wake = new Semaphore(0);
  private final Map<String, SweepSpec> specs = new ConcurrentHashMap<>();
  private final Map<String, ModelRef> models = new ConcurrentHashMap<>();

  private volatile Thread thread;
  private volatile boolean running;
  private volatile int crashAfterPages = -1;

  public FanoutRelay(
      AgroalDataSource dataSource,
      JobRepository jobs,
      KafkaClients kafka,
      CoordinatorConfig config,
      ObjectMapper json,
      MeterRegistry meters) {
    this.dataSource = dataSource;
    this.jobs = jobs;
    this.kafka = kafka;
    this.config = config;
    this.json = json;
    this.published = Counter.builder("shadowfleet.jobs.published").description("job messages acknowledged by Kafka (re-publishes included)").register(meters);
    this.controls = Counter.builder("shadowfleet.sweep.controls.published").register(meters);
  }

  void onStart(@Observes StartupEvent e) {
    if (config.relay().enabled()) {
      start();
    }
  }

  void onStop(@Observes ShutdownEvent e) {
    stop();
  }

  /** Starts the relay thread (no-op when it runs). */
  public synchronized void start() {
    if (thread != null && thread.isAlive()) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "fanout-relay");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the relay thread and waits for it; the current page finishes first. */
  public synchronized void stop() {
    running = false;
    wakeUp();
    Thread t = thread;
    if (t != null) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    thread = null;
  }

  public boolean isAlive() {
    Thread t = thread;
    return t != null && t.isAlive();
  }

  /** Asks the relay to look for work now (after a sweep was submitted or cancelled). */
  public void wakeUp() {
    wake.release();
  }

  /**
   * Fault injection for the crash tests: after {@code pages} more pages were sent and acknowledged,
   * the relay dies before it moves the cursor, exactly as a process killed at that moment.
   */
  public void crashAfterPages(int pages) {
    crashAfterPages = pages;
  }

  private void run() {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("shadowfleet-relay"))) {
      kafka.ensureTopics();
      while (running) {
        boolean worked;
        try {
          worked = publishControls(producer) | publishPage(producer);
        } catch (SimulatedCrash crash) {
          LOG.warn("relay stopped by fault injection before moving its cursor");
          return;
        } catch (RuntimeException | SQLException e) {
          LOG.warnf("relay step failed, retrying: %s", e.toString());
          worked = false;
        }
        if (!worked) {
          wake.drainPermits();
          wake.tryAcquire(config.relay().idlePoll().toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("relay stopped", e);
    }
  }

  /** Publishes one page of the most urgent sweep with jobs left; false when there is none. */
  boolean publishPage(KafkaProducer<byte[], byte[]> producer) throws SQLException {
    String sweepId = nextSweep();
    if (sweepId == null) {
      return false;
    }
    return QuarkusTransaction.requiringNew().timeout(300).call(() -> publishPageLocked(producer, sweepId));
  }

  private boolean publishPageLocked(KafkaProducer<byte[], byte[]> producer, String sweepId) throws Exception {
    long cursor;
    long total;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT published_jobs, total_jobs, spec::text FROM sweeps"
                    + " WHERE id = ? AND state = 'ACTIVE' FOR UPDATE SKIP LOCKED")) {
      ps.setString(1, sweepId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
        cursor = rs.getLong(1);
        total = rs.getLong(2);
        if (!specs.containsKey(sweepId)) {
          specs.put(sweepId, json.readValue(rs.getString(3), SweepSpec.class));
        }
      }
    }
    if (cursor >= total) {
      return false;
    }
    SweepSpec spec = specs.get(sweepId);
    long end = Math.min(total, cursor + config.relay().pageSize());
    List<JobRepository.JobRow> page = jobs.page(sweepId, cursor, end);
    if (page.size() != end - cursor) {
      throw new IllegalStateException("sweep " + sweepId + " has " + page.size() + " jobs in [" + cursor + ", " + end + ")");
    }
    List<Future<RecordMetadata>> acks = new ArrayList<>(page.size());
    // Images spread evenly over the partitions (JobPlacement), not where their key's hash falls: a worker
    // keeps its partitions, so an uneven spread leaves one idle while another has a backlog.
    int partitions = producer.partitionsFor(Topics.JOBS).size();
    for (JobRepository.JobRow row : page) {
      AttackJob job = toMessage(sweepId, spec, row);
      int partition = JobPlacement.partition(sweepId, row.seq(), spec.models().size(), spec.targets().size(), partitions);
      acks.add(producer.send(new ProducerRecord<>(Topics.JOBS, partition, job.key().getBytes(StandardCharsets.UTF_8),
          MessageCodec.encode(job))));
    }
    producer.flush();
    for (Future<RecordMetadata> ack : acks) {
      ack.get(); // throws if any send failed: the cursor stays, the page is sent again
    }
    published.increment(page.size());
    if (crashAfterPages >= 0 && crashAfterPages-- == 0) {
      throw new SimulatedCrash();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE sweeps SET published_jobs = ? WHERE id = ?")) {
      ps.setLong(1, end);
      ps.setString(2, sweepId);
      ps.executeUpdate();
    }
    if (end == total) {
      specs.remove(sweepId); // fully published: the spec (image lists can be long) is not needed again
    }
    return true;
  }

  private AttackJob toMessage(String sweepId, SweepSpec spec, JobRepository.JobRow row) throws SQLException {
    ModelRef model = models.get(row.modelId());
    if (model == null) {
      model = loadModel(row.modelId());
      models.put(row.modelId(), model);
    }
    boolean smoothed = model.smoothed();
    return new AttackJob(
        MessageCodec.SCHEMA_VERSION, row.id(), sweepId, row.modelId(), model.sha256(), spec.dataset(),
        row.imageIndex(), row.target(), spec.targets(), spec.preset(), spec.overrides(),
        smoothed ? spec.smoothing() : null, smoothed ? null : spec.ibp(),
        SweepSpec.jobSeed(spec.seed(), row.id()), 1, spec.priority());
  }

  /** What a job message needs of its model (models never change once registered). */
  private record ModelRef(String sha256, boolean smoothed) {}

  private ModelRef loadModel(String modelId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT kind, sha256 FROM models WHERE id = ?")) {
      ps.setString(1, modelId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("job refers to unknown model " + modelId);
        }
        return new ModelRef(rs.getString(2).trim(), ModelEntity.SMOOTHED.equals(rs.getString(1)));
      }
    }
  }

  private String nextSweep() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id FROM sweeps WHERE state = 'ACTIVE' AND published_jobs < total_jobs"
                    + " ORDER BY priority DESC, created_at, id LIMIT 1")) {
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Publishes pending SweepControl messages (the compacted topic keeps the latest per sweep). */
  boolean publishControls(KafkaProducer<byte[], byte[]> producer) {
    return QuarkusTransaction.requiringNew().call(() -> {
      List<SweepControl> pending = new ArrayList<>();
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, state FROM sweeps WHERE control_pending ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED")) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            pending.add(new SweepControl(MessageCodec.SCHEMA_VERSION, rs.getString(1), SweepEntity.CANCELLED.equals(rs.getString(2))));
          }
        }
      }
      if (pending.isEmpty()) {
        return false;
      }
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (SweepControl control : pending) {
        acks.add(producer.send(new ProducerRecord<>(Topics.SWEEPS, control.sweepId().getBytes(StandardCharsets.UTF_8), MessageCodec.encode(control))));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps = c.prepareStatement("UPDATE sweeps SET control_pending = false WHERE id = ?")) {
        for (SweepControl control : pending) {
          ps.setString(1, control.sweepId());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      controls.increment(pending.size());
      return true;
    });
  }

  /** Thrown by the fault injection: the relay dies between "acknowledged" and "cursor moved". */
  static final class SimulatedCrash extends RuntimeException {
    SimulatedCrash() {
      super("simulated crash", null, false, false);
    }
  }
}

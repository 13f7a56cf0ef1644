package dev.shadowfleet.coordinator.ingest;

import dev.shadowfleet.coordinator.sweep.CoordinatorConfig;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Returns RUNNING jobs whose worker is gone to QUEUED. A worker repeats the started record of the batch it
 * computes (every {@code SHADOWFLEET_STARTED_REFRESH_MS}); the ingestion stamps {@code jobs.running_since}
 * with each one ({@link ResultBatchWriter}). Every {@code shadowfleet.jobs.running-check-interval}, a RUNNING
 * job without a stored result whose stamp is older than {@code shadowfleet.jobs.running-timeout} becomes
 * QUEUED again, and its sweep's counters move with it in the same transaction. The job itself is still on
 * Kafka (its offset was never committed), so the worker that takes the dead one's partitions redoes it, and
 * its started record makes it RUNNING again; a result always wins. No other state is ever touched.
 *
 * <p>Rows the ingestion holds are skipped ({@code SKIP LOCKED}): their batch decides their state, and the
 * next check sees them again. Jobs are changed in pages of {@link #PAGE} rows, each in its own transaction.
 */
@ApplicationScoped
public class RunningJobReaper {
  private static final Logger LOG = Logger.getLogger(RunningJobReaper.class);
  static final int PAGE = 10_000;

  private final AgroalDataSource dataSource;
  private final CoordinatorConfig config;
  private final Counter requeued;
  private ScheduledExecutorService timer;

  public RunningJobReaper(AgroalDataSource dataSource, CoordinatorConfig config, MeterRegistry meters) {
    this.dataSource = dataSource;
    this.config = config;
    this.requeued = Counter.builder("shadowfleet.jobs.requeued")
        .description("RUNNING jobs returned to QUEUED after shadowfleet.jobs.running-timeout without a started record")
        .register(meters);
  }

  void onStart(@Observes StartupEvent e) {
    if (!config.jobs().runningCheckEnabled()) {
      return;
    }
    long period = Math.max(1, config.jobs().runningCheckInterval().toMillis());
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "running-job-reaper");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent e) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void check() {
    try {
      requeueStale(config.jobs().runningTimeout());
    } catch (RuntimeException e) { // the database is away: the next check tries again
      LOG.warnf("RUNNING jobs not checked: %s", e.getMessage());
    }
  }

  /**
   * Returns every RUNNING job without a result whose {@code running_since} is older than {@code timeout}
   * to QUEUED.
   *
   * @return how many jobs went back to QUEUED
   */
  public int requeueStale(Duration timeout) {
    int total = 0;
    while (true) {
      int n = QuarkusTransaction.requiringNew().call(() -> requeuePage(timeout));
      total += n;
      if (n < PAGE) {
        break;
      }
    }
    if (total > 0) {
      requeued.increment(total);
      LOG.warnf("%d RUNNING job(s) had no started record for %s (their workers are gone): back to QUEUED",
          total, timeout);
    }
    return total;
  }

  private int requeuePage(Duration timeout) throws SQLException {
    Map<String, Integer> bySweep = new TreeMap<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(
          "WITH stale AS (SELECT j.id FROM jobs j"
              + " WHERE j.sweep_id IN (SELECT sweep_id FROM sweep_progress WHERE running > 0)"
              + " AND j.state = 'RUNNING' AND j.running_since < now() - ? * interval '1 millisecond'"
              + " AND NOT EXISTS (SELECT 1 FROM job_results r WHERE r.job_id = j.id)"
              + " ORDER BY j.id LIMIT ? FOR UPDATE OF j SKIP LOCKED)"
              + " UPDATE jobs SET state = 'QUEUED', running_since = NULL FROM stale"
              + " WHERE jobs.id = stale.id AND jobs.state = 'RUNNING' RETURNING jobs.sweep_id")) {
        ps.setLong(1, timeout.toMillis());
        ps.setInt(2, PAGE);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            bySweep.merge(rs.getString(1), 1, Integer::sum);
          }
        }
      }
      if (bySweep.isEmpty()) {
        return 0;
      }
      // counters in sweep order, after the job rows: the order the ingestion takes its locks in
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE sweep_progress SET queued = queued + ?, running = running - ? WHERE sweep_id = ?")) {
        for (var e : bySweep.entrySet()) {
          ps.setLong(1, e.getValue());
          ps.setLong(2, e.getValue());
          ps.setString(3, e.getKey());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    return bySweep.values().stream().mapToInt(Integer::intValue).sum();
  }
}

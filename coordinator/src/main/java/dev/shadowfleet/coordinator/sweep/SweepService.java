package dev.shadowfleet.coordinator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.coordinator.api.ApiException;
import dev.shadowfleet.coordinator.auth.Caller;
import dev.shadowfleet.coordinator.api.Page;
import dev.shadowfleet.coordinator.api.SweepRequest;
import dev.shadowfleet.coordinator.api.Views;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Sweeps: submit (validate, store the sweep and all its jobs in one transaction, wake the relay),
 * read with progress, list, cancel. A refused sweep throws before anything is written, and the
 * transaction rolls back whatever a later failure would leave.
 */
@ApplicationScoped
public class SweepService {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  private final SweepPlanner planner;
  private final SweepRepository sweeps;
  private final SweepProgressRepository progress;
  private final ModelRepository models;
  private final JobRepository jobs;
  private final CostEstimator costs;
  private final FanoutRelay relay;
  private final AgroalDataSource dataSource;
  private final TransactionSynchronizationRegistry tx;
  private final ObjectMapper json;

  public SweepService(
      SweepPlanner planner, SweepRepository sweeps, SweepProgressRepository progress, ModelRepository models,
      JobRepository jobs, CostEstimator costs, FanoutRelay relay, AgroalDataSource dataSource,
      TransactionSynchronizationRegistry tx, ObjectMapper json) {
    this.planner = planner;
    this.sweeps = sweeps;
    this.progress = progress;
    this.models = models;
    this.jobs = jobs;
    this.costs = costs;
    this.relay = relay;
    this.dataSource = dataSource;
    this.tx = tx;
    this.json = json;
  }

  @Transactional
  @TransactionConfiguration(timeout = 600)
  public Views.SweepView submit(SweepRequest request, Caller caller) {
    SweepSpec spec = planner.plan(request, id -> Optional.ofNullable(models.findById(id)));
    if (request.seed() == null) {
      spec = new SweepSpec(
          spec.dataset(), spec.datasetSize(), spec.imageFrom(), spec.imageTo(), spec.imageList(), spec.models(),
          spec.targets(), spec.preset(), spec.overrides(), spec.smoothing(), spec.ibp(), spec.priority(),
          RANDOM.nextLong());
    }
    SweepEntity s = new SweepEntity();
    s.id = newId();
    s.state = SweepEntity.ACTIVE;
    s.datasetUri = spec.dataset();
    s.preset = spec.preset();
    s.priority = spec.priority();
    s.spec = toJson(spec);
    s.totalJobs = spec.jobCount();
    s.submittedBy = caller.name();
    sweeps.persist(s);
    SweepProgressEntity p = new SweepProgressEntity();
    p.sweepId = s.id;
    p.queued = s.totalJobs;
    progress.persist(p);
    sweeps.flush();
    try {
      long inserted = jobs.insertAll(s.id, spec);
      if (inserted != s.totalJobs) {
        throw new IllegalStateException("generated " + inserted + " jobs for a sweep of " + s.totalJobs);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store the jobs of sweep " + s.id, e);
    }
    afterCommit(relay::wakeUp);
    return view(s, p, costs.estimate(spec.preset(), spec.models(), spec.imageCount() * spec.targets().size()), false);
  }

  @Transactional
  public Views.SweepView get(String id) {
    SweepEntity s = find(id);
    SweepProgressEntity p = progress.findById(id);
    SweepSpec spec = fromJson(s.spec);
    long remainingPerModel = s.state.equals(SweepEntity.ACTIVE) ? Math.round((double) p.queued / spec.models().size()) : 0;
    return view(s, p, costs.estimate(spec.preset(), spec.models(), remainingPerModel), true);
  }

  @Transactional
  public Page<Views.SweepView> list(int page, int size) {
    var query = sweeps.findAll(Sort.descending("createdAt").and("id"));
    List<Views.SweepView> items =
        query.page(page, size).list().stream().map(s -> view(s, progress.findById(s.id), null, false)).toList();
    return new Page<>(page, size, query.count(), items);
  }

  /**
   * Cancels a sweep: jobs not yet published become CANCELLED at once; jobs already on Kafka stay
   * QUEUED until their result arrives (workers answer CANCELLED for the jobs they skip, or DONE for
   * one they had started), so the counts converge as the fleet drains. A SweepControl message tells
   * the workers (published by the relay, so a crash cannot lose it).
   *
   * <p>Only the submitter or an operator may cancel (403 otherwise); a sweep submitted while
   * authentication was off (no submitter recorded) only an operator.
   */
  @Transactional
  public Views.SweepView cancel(String id, Caller caller) {
    SweepEntity s = sweeps.findById(id, LockModeType.PESSIMISTIC_WRITE);
    if (s == null) {
      throw ApiException.notFound("id", "no sweep " + id);
    }
    if (!caller.operator() && (s.submittedBy == null || !s.submittedBy.equals(caller.name()))) {
      throw new ApiException(403, "id", "sweep " + id + " was submitted by "
          + (s.submittedBy == null ? "nobody recorded" : s.submittedBy)
          + "; only its submitter or an operator may cancel it");
    }
    if (s.state.equals(SweepEntity.COMPLETED)) {
      throw ApiException.conflict("id", "sweep " + id + " is already completed");
    }
    if (s.state.equals(SweepEntity.ACTIVE)) {
      s.state = SweepEntity.CANCELLED;
      s.cancelledAt = OffsetDateTime.now();
      s.controlPending = true;
      sweeps.flush();
      try {
        long n = jobs.cancelUnpublished(id, s.publishedJobs);
        shiftCounts(id, n);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot cancel the jobs of sweep " + id, e);
      }
      afterCommit(relay::wakeUp);
    }
    progress.getEntityManager().clear();
    return view(sweeps.findById(id), progress.findById(id), null, false);
  }

  private void shiftCounts(String id, long n) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE sweep_progress SET queued = queued - ?, cancelled = cancelled + ? WHERE sweep_id = ?")) {
      ps.setLong(1, n);
      ps.setLong(2, n);
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  @Transactional
  public Views.JobView job(String id) {
    JobEntity j = jobs.findById(id);
    if (j == null) {
      throw ApiException.notFound("id", "no job " + id);
    }
    SweepEntity s = find(j.sweepId);
    String result = null;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT result::text FROM job_results WHERE job_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          result = rs.getString(1);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the result of job " + id, e);
    }
    return new Views.JobView(
        j.id, j.sweepId, j.modelId, j.imageIndex, j.target, j.seq, j.state, j.attempts, j.reason,
        j.seq < s.publishedJobs, result);
  }

  private SweepEntity find(String id) {
    SweepEntity s = sweeps.findById(id);
    if (s == null) {
      throw ApiException.notFound("id", "no sweep " + id);
    }
    return s;
  }

  private Views.SweepView view(SweepEntity s, SweepProgressEntity p, Views.Estimate estimate, boolean withEta) {
    long finished = p.finished();
    Views.Progress progressView =
        new Views.Progress(p.queued, p.running, p.done, p.skipped, p.failed, p.cancelled, finished,
            s.totalJobs == 0 ? 0 : Math.round(1000.0 * finished / s.totalJobs) / 10.0);
    Views.Eta eta = withEta && s.state.equals(SweepEntity.ACTIVE) ? eta(s.id, p.queued + p.running) : null;
    return new Views.SweepView(
        s.id, s.state, s.datasetUri, s.preset, s.priority, s.submittedBy, s.totalJobs, s.publishedJobs, progressView, eta,
        estimate, s.createdAt, s.cancelledAt, s.completedAt, s.spec);
  }

  /** ETA at the sweep's mean ingestion rate (finished jobs between its first and latest result). */
  private Views.Eta eta(String sweepId, long remaining) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT done + skipped + failed + cancelled, EXTRACT(EPOCH FROM last_result_at - first_result_at)"
                    + " FROM sweep_progress WHERE sweep_id = ? AND first_result_at IS NOT NULL")) {
      ps.setString(1, sweepId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getLong(1) == 0) {
          return null;
        }
        double rate = rs.getLong(1) / Math.max(1.0, rs.getDouble(2));
        return new Views.Eta(remaining / rate, rate);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot compute the ETA of sweep " + sweepId, e);
    }
  }

  private void afterCommit(Runnable action) {
    tx.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            if (status == Status.STATUS_COMMITTED) {
              action.run();
            }
          }
        });
  }

  private String toJson(SweepSpec spec) {
    try {
      return json.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private SweepSpec fromJson(String spec) {
    try {
      return json.readValue(spec, SweepSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String newId() {
    StringBuilder sb = new StringBuilder("sw-");
    for (int i = 0; i < 10; i++) {
      sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return sb.toString();
  }
}

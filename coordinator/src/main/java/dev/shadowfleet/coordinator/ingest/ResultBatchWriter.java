package dev.shadowfleet.coordinator.ingest;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.outcome.BestOutcome;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes one batch of results and job failures in the caller's transaction, idempotently:
 *
 * <ol>
 *   <li>lock the batch's job rows (unknown jobs are rejected, to the DLQ), then read which of them already
 *       have a stored result (a statement after the locks, so it sees every result committed before them);
 *   <li>started records ({@link JobsStarted}): QUEUED jobs become RUNNING, RUNNING ones stay so, and both
 *       get {@code running_since = now()} (a worker repeats the record while a batch computes, so a job
 *       whose stamp grows old lost its worker: {@link RunningJobReaper}); a job that already ended (its
 *       result came first, or it was cancelled) is left alone, so they are idempotent and order-free;
 *   <li>the results of jobs without one: only these are new; everything below uses them alone, so a
 *       redelivered result changes nothing (the primary key on {@code job_id} stays the last guard: a
 *       duplicate that got past the check fails the batch, which is then written one record at a time);
 *   <li>job states and per-sweep counters;
 *   <li>the image outcomes: the batch's best per image by {@link BestOutcome}, then an upsert that keeps
 *       the row with the smaller {@link OutcomeRank} key, so the stored outcome is the best of all
 *       stored results whatever the arrival order (SKIPPED_LABEL results, no attempt, take no part);
 *   <li>failures from the jobs DLQ: FAILED with the reason, unless the job already has a result;
 *   <li>measured job costs, and sweeps whose last job ended become COMPLETED.
 * </ol>
 *
 * Each statement sends the whole batch at once: the new results through {@code COPY} straight into
 * {@code job_results} (batches of {@link #COPY_THRESHOLD} or more; smaller ones as one {@code INSERT … ON
 * CONFLICT (job_id) DO NOTHING RETURNING job_id} of arrays), everything else as arrays ({@code unnest}): one
 * round trip per table. Every writer of {@code job_results} holds the job's row lock, so no result of a
 * locked job can appear between the check and the insert.
 */
@ApplicationScoped
public class ResultBatchWriter {
  private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ResultBatchWriter.class);

  /**
   * One decoded result and the JSON to store for it, in UTF-8: the payload as received (validated by the
   * decode; never re-serialised) when it carries no images, else the result re-encoded without them.
   */
  public record Incoming(JobResult result, byte[] json) {
    public static Incoming of(JobResult r, byte[] payload) {
      return new Incoming(r, r.images() == null ? payload : MessageCodec.encode(withoutImages(r)));
    }
  }

  /** A record the batch refused (it goes to the results DLQ). */
  public record Rejected(JobResult result, String field, String reason) {}

  /** What a batch did. */
  public record Summary(int stored, int duplicates, int failuresApplied, List<Rejected> rejected) {}

  private static final Set<String> RESULT_STATES = Set.of("DONE", "SKIPPED", "SKIPPED_LABEL", "CANCELLED");

  private final AgroalDataSource dataSource;
  private final Map<String, String> presets = new java.util.concurrent.ConcurrentHashMap<>();

  public ResultBatchWriter(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Summary write(List<Incoming> batch, List<JobFailure> dlqFailures) throws SQLException {
    return write(batch, dlqFailures, List.of());
  }

  /** One batch: results, failures from the jobs DLQ, and started records. */
  public Summary write(List<Incoming> batch, List<JobFailure> dlqFailures, List<JobsStarted> started)
      throws SQLException {
    List<Rejected> rejected = new ArrayList<>();
    Map<JobResult, byte[]> stored = new java.util.IdentityHashMap<>();
    Map<String, JobResult> results = new LinkedHashMap<>();
    List<JobFailure> failures = new ArrayList<>(dlqFailures);
    int duplicates = 0;
    for (Incoming in : batch) {
      JobResult r = in.result();
      stored.put(r, in.json());
      if (r.status() == JobStatus.FAILED) {
        // Not a stored result: the job failed for good on a worker (its payload is on the jobs DLQ).
        // It becomes FAILED unless a result exists or arrives later; a result always wins.
        failures.add(new JobFailure(r.schemaVersion(), r.jobId(), r.attempt(), r.workerId(), null, r.failureReason(), null, null));
      } else if (!AttackJob.idOf(r.sweepId(), r.modelId(), r.imageIndex(), r.target()).equals(r.jobId())) {
        rejected.add(new Rejected(r, "jobId", "`jobId` " + r.jobId() + " does not match its sweep/model/image/target"));
      } else if (results.putIfAbsent(r.jobId(), r) != null) {
        duplicates++;
      }
    }
    try (Connection c = dataSource.getConnection()) {
      Set<String> ids = new HashSet<>(results.keySet());
      for (JobFailure f : failures) {
        if (f.jobId() != null) {
          ids.add(f.jobId());
        }
      }
      started.forEach(s -> ids.addAll(s.jobIds()));
      long t0 = System.nanoTime();
      Map<String, JobState> jobs = lockJobs(c, ids);
      Map<String, long[]> counters = new TreeMap<>();
      Map<String, Object[]> stateUpdates = new LinkedHashMap<>();
      for (JobsStarted s : started) {
        for (String id : s.jobIds()) {
          JobState job = jobs.get(id);
          if (job == null || job.hasResult) {
            continue;
          }
          if (job.state.equals("QUEUED")) {
            count(counters, job.sweepId, "QUEUED", -1);
            count(counters, job.sweepId, "RUNNING", +1);
            job.state = "RUNNING";
          }
          if (job.state.equals("RUNNING")) { // started, or still computing: the stamp is renewed
            putState(stateUpdates, id, "RUNNING", s.attempt(), null);
          }
        }
      }
      List<JobResult> known = new ArrayList<>();
      for (JobResult r : results.values()) {
        if (jobs.containsKey(r.jobId())) {
          known.add(r);
        } else {
          rejected.add(new Rejected(r, "jobId", "no job " + r.jobId() + " in this coordinator's database"));
        }
      }
      long t1 = System.nanoTime();
      Set<String> inserted = insertResults(c, known, stored, jobs);
      duplicates += known.size() - inserted.size();
      List<JobResult> fresh = known.stream().filter(r -> inserted.contains(r.jobId())).toList();

      for (JobResult r : fresh) {
        JobState job = jobs.get(r.jobId());
        String next = switch (r.status()) {
          case DONE -> "DONE";
          case SKIPPED_ABSTAIN -> "SKIPPED";
          case SKIPPED_LABEL -> "SKIPPED_LABEL";
          case CANCELLED -> "CANCELLED";
          case FAILED -> throw new IllegalStateException("FAILED results are not stored");
        };
        count(counters, job.sweepId, job.state, -1);
        count(counters, job.sweepId, next, +1);
        job.state = next;
        job.hasResult = true;
        putState(stateUpdates, r.jobId(), next, r.attempt(), null);
      }
      int applied = 0;
      for (JobFailure f : failures) {
        JobState job = f.jobId() == null ? null : jobs.get(f.jobId());
        // A job with a stored result keeps it; a job cancelled before publication stays cancelled.
        if (job == null || job.hasResult || RESULT_STATES.contains(job.state)) {
          continue;
        }
        count(counters, job.sweepId, job.state, -1);
        count(counters, job.sweepId, "FAILED", +1);
        job.state = "FAILED";
        String reason = f.field() == null ? f.reason() : f.field() + ": " + f.reason();
        putState(stateUpdates, f.jobId(), "FAILED", f.attempt(), reason);
        applied++;
      }
      long t2 = System.nanoTime();
      updateJobs(c, new ArrayList<>(stateUpdates.values()));
      long t3 = System.nanoTime();
      upsertOutcomes(c, fresh.stream().filter(BestOutcome::counts).toList());
      long t4 = System.nanoTime();
      updateCounters(c, counters);
      updateCosts(c, fresh);
      completeSweeps(c, counters.keySet());
      if (LOG.isDebugEnabled()) {
        LOG.debugf("lock %d ms, insert %d ms, job states %d ms, outcomes %d ms, counters %d ms",
            (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000,
            (System.nanoTime() - t4) / 1_000_000);
      }
      return new Summary(fresh.size(), duplicates, applied, rejected);
    }
  }

  /**
   * The job's last state change in this batch wins (RUNNING, then its result); the attempt count is the
   * highest seen, and of two failures the later attempt's reason is kept.
   */
  private static void putState(Map<String, Object[]> updates, String id, String state, int attempt, String reason) {
    Object[] old = updates.get(id);
    if (old != null && old[1].equals(state) && (Integer) old[2] >= attempt) {
      return;
    }
    int attempts = old == null ? attempt : Math.max(attempt, (Integer) old[2]);
    updates.put(id, new Object[] {id, state, attempts, reason});
  }

  /** The current state of one job in this batch. */
  private static final class JobState {
    final String sweepId;
    String state;
    boolean hasResult;

    JobState(String sweepId, String state) {
      this.sweepId = sweepId;
      this.state = state;
    }
  }

  private static Map<String, JobState> lockJobs(Connection c, Set<String> ids) throws SQLException {
    Map<String, JobState> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    var array = c.createArrayOf("text", ids.toArray());
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id, sweep_id, state FROM jobs WHERE id = ANY (?) ORDER BY id FOR UPDATE")) {
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new JobState(rs.getString(2), rs.getString(3)));
        }
      }
    }
    // A new statement, hence (READ COMMITTED) a snapshot taken after the locks were granted: it sees the
    // results of every transaction that held one of these locks before. (A join in the locking statement
    // would not: rows of a joined table keep that statement's older snapshot.)
    try (PreparedStatement ps = c.prepareStatement("SELECT job_id FROM job_results WHERE job_id = ANY (?)")) {
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          JobState s = out.get(rs.getString(1));
          if (s != null) {
            s.hasResult = true;
          }
        }
      }
    }
    return out;
  }

  /** A result and its stored JSON, as the insert binds them. */
  private record Row(JobResult r, byte[] json) {}

  /** Batches of at least this many results go through COPY; smaller ones as arrays. */
  static final int COPY_THRESHOLD = 64;

  private static final Columns<Row> RESULT_COLUMNS =
      new Columns<Row>()
          .text("job_id", x -> x.r().jobId())
          .text("sweep_id", x -> x.r().sweepId())
          .text("model_id", x -> x.r().modelId())
          .int4("image_index", x -> x.r().imageIndex())
          .int4("target", x -> x.r().target())
          .text("status", x -> x.r().status().name())
          .int4("attempt", x -> x.r().attempt())
          .text("worker_id", x -> x.r().workerId())
          .int4("label", x -> x.r().label())
          .int4("natural_label", x -> nat(x.r(), Certificate::label))
          .bool("natural_certified", x -> nat(x.r(), Certificate::certified))
          .float8("natural_radius", x -> nat(x.r(), Certificate::radius))
          .text("natural_method", x -> nat(x.r(), Certificate::method))
          .int4("attack_label", x -> att(x.r(), Certificate::label))
          .bool("attack_certified", x -> att(x.r(), Certificate::certified))
          .float8("attack_radius", x -> att(x.r(), Certificate::radius))
          .text("attack_method", x -> att(x.r(), Certificate::method))
          .bool("success", x -> x.r().success())
          .bool("targeted_success", x -> x.r().targetedSuccess())
          .float8("spoof_loss", x -> x.r().spoofLoss())
          .float8("tv", x -> x.r().tv())
          .float8("color", x -> x.r().color())
          .float8("dissim", x -> x.r().dissim())
          .float8("delta_l2", x -> x.r().deltaL2())
          .float8("delta_linf", x -> x.r().deltaLinf())
          .int4("steps", x -> x.r().steps())
          .int8("wall_millis", x -> x.r().wallMillis())
          .float8("compute_seconds", x -> x.r().computeSeconds())
          .jsonUtf8("result", Row::json)
          .json("images", x -> x.r().images() == null ? null : MessageCodec.encodeToString(x.r().images()));

  private static Set<String> insertResults(
      Connection c, List<JobResult> results, Map<JobResult, byte[]> json, Map<String, JobState> jobs) throws SQLException {
    Set<String> inserted = new HashSet<>();
    if (results.isEmpty()) {
      return inserted;
    }
    List<Row> sorted = new ArrayList<>(results.size());
    for (JobResult r : results) {
      sorted.add(new Row(r, json.get(r)));
    }
    sorted.sort(Comparator.comparing(x -> x.r().jobId()));
    String conflict = " ON CONFLICT (job_id) DO NOTHING RETURNING job_id";
    if (sorted.size() < COPY_THRESHOLD) {
      try (PreparedStatement ps = c.prepareStatement(RESULT_COLUMNS.insertSql("job_results") + conflict)) {
        RESULT_COLUMNS.bind(c, ps, sorted);
        collect(ps, inserted);
      }
      return inserted;
    }
    // The jobs are locked and their stored results known (lockJobs): copy the new ones, in job_id order.
    List<Row> fresh = sorted.stream().filter(x -> !jobs.get(x.r().jobId()).hasResult).toList();
    if (!fresh.isEmpty()) {
      RESULT_COLUMNS.copy(c, "job_results", fresh);
    }
    fresh.forEach(x -> inserted.add(x.r().jobId()));
    return inserted;
  }

  private static void collect(PreparedStatement ps, Set<String> ids) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
  }

  private static void updateJobs(Connection c, List<Object[]> updates) throws SQLException {
    if (updates.isEmpty()) {
      return;
    }
    updates.sort(Comparator.comparing(u -> (String) u[0]));
    String[] ids = new String[updates.size()];
    String[] states = new String[updates.size()];
    Integer[] attempts = new Integer[updates.size()];
    String[] reasons = new String[updates.size()];
    for (int i = 0; i < updates.size(); i++) {
      Object[] u = updates.get(i);
      ids[i] = (String) u[0];
      states[i] = (String) u[1];
      attempts[i] = (Integer) u[2];
      reasons[i] = (String) u[3];
    }
    // A job can appear twice (a result and a failure in one batch): the failure is only listed when
    // the job has no result, so the rows never conflict; DISTINCT ON keeps one row per id anyway.
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE jobs SET state = u.state, attempts = GREATEST(jobs.attempts, u.attempt), reason = u.reason,"
                + " running_since = CASE WHEN u.state = 'RUNNING' THEN now() END"
                + " FROM (SELECT DISTINCT ON (id) id, state, attempt, reason"
                + " FROM unnest(?::text[], ?::text[], ?::int[], ?::text[]) AS x(id, state, attempt, reason)"
                + " ORDER BY id, attempt DESC) AS u WHERE jobs.id = u.id")) {
      ps.setArray(1, c.createArrayOf("text", ids));
      ps.setArray(2, c.createArrayOf("text", states));
      ps.setArray(3, c.createArrayOf("int4", attempts));
      ps.setArray(4, c.createArrayOf("text", reasons));
      ps.executeUpdate();
    }
  }

  /** One image's contribution from this batch: its best new result and how many new results it had. */
  private record ImageBest(JobResult best, int results) {}

  private static final Columns<ImageBest> OUTCOME_COLUMNS =
      new Columns<ImageBest>()
          .text("sweep_id", o -> o.best().sweepId())
          .text("model_id", o -> o.best().modelId())
          .int4("image_index", o -> o.best().imageIndex())
          .text("best_job_id", o -> o.best().jobId())
          .int4("target", o -> o.best().target())
          .text("status", o -> o.best().status().name())
          .int4("label", o -> o.best().label())
          .bool("success", o -> o.best().success())
          .bool("targeted_success", o -> o.best().targetedSuccess())
          .int4("natural_label", o -> nat(o.best(), Certificate::label))
          .bool("natural_certified", o -> nat(o.best(), Certificate::certified))
          .float8("natural_radius", o -> nat(o.best(), Certificate::radius))
          .int4("attack_label", o -> att(o.best(), Certificate::label))
          .bool("attack_certified", o -> att(o.best(), Certificate::certified))
          .float8("attack_radius", o -> att(o.best(), Certificate::radius))
          .text("attack_method", o -> att(o.best(), Certificate::method))
          .float8("spoof_loss", o -> o.best().spoofLoss())
          .float8("tv", o -> o.best().tv())
          .int4("results", ImageBest::results)
          .bytea("rank_key", o -> OutcomeRank.hex(o.best()));

  private static void upsertOutcomes(Connection c, List<JobResult> fresh) throws SQLException {
    if (fresh.isEmpty()) {
      return;
    }
    Map<String, List<JobResult>> byImage = new TreeMap<>();
    for (JobResult r : fresh) {
      byImage.computeIfAbsent(r.sweepId() + "\u0000" + r.modelId() + "\u0000" + r.imageIndex(), k -> new ArrayList<>()).add(r);
    }
    List<ImageBest> rows = new ArrayList<>(byImage.size());
    for (List<JobResult> image : byImage.values()) {
      rows.add(new ImageBest(BestOutcome.of(image).orElseThrow(), image.size()));
    }
    StringBuilder set = new StringBuilder(" ON CONFLICT (sweep_id, model_id, image_index) DO UPDATE SET");
    set.append(" results = image_outcomes.results + EXCLUDED.results,");
    set.append(" rank_key = LEAST(image_outcomes.rank_key, EXCLUDED.rank_key)");
    for (String col : OUTCOME_COLUMNS.names()) {
      if (List.of("sweep_id", "model_id", "image_index", "results", "rank_key").contains(col)) {
        continue;
      }
      set.append(", ").append(col).append(" = CASE WHEN EXCLUDED.rank_key < image_outcomes.rank_key THEN EXCLUDED.")
          .append(col).append(" ELSE image_outcomes.").append(col).append(" END");
    }
    try (PreparedStatement ps = c.prepareStatement(OUTCOME_COLUMNS.insertSql("image_outcomes") + set)) {
      OUTCOME_COLUMNS.bind(c, ps, rows);
      ps.executeUpdate();
    }
  }

  private static void count(Map<String, long[]> counters, String sweepId, String state, int delta) {
    long[] v = counters.computeIfAbsent(sweepId, k -> new long[7]);
    int i = switch (state) {
      case "QUEUED" -> 0;
      case "RUNNING" -> 1;
      case "DONE" -> 2;
      case "SKIPPED" -> 3;
      case "FAILED" -> 4;
      case "CANCELLED" -> 5;
      case "SKIPPED_LABEL" -> 6;
      default -> throw new IllegalStateException("unknown job state " + state);
    };
    v[i] += delta;
  }

  private static void updateCounters(Connection c, Map<String, long[]> counters) throws SQLException {
    if (counters.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE sweep_progress SET queued = queued + ?, running = running + ?, done = done + ?,"
                + " skipped = skipped + ?, failed = failed + ?, cancelled = cancelled + ?, skipped_label = skipped_label + ?,"
                + " first_result_at = COALESCE(first_result_at, now()), last_result_at = now() WHERE sweep_id = ?")) {
      for (var e : counters.entrySet()) {
        long[] v = e.getValue();
        for (int i = 0; i < 7; i++) {
          ps.setLong(i + 1, v[i]);
        }
        ps.setString(8, e.getKey());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void updateCosts(Connection c, List<JobResult> fresh) throws SQLException {
    Map<List<String>, double[]> costs = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
    for (JobResult r : fresh) {
      if (r.status() != JobStatus.DONE) {
        continue;
      }
      String preset = preset(c, r.sweepId());
      double[] v = costs.computeIfAbsent(List.of(r.modelId(), preset), k -> new double[2]);
      v[0] += 1;
      v[1] += r.computeSeconds();
    }
    if (costs.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO job_costs (model_id, preset, jobs, compute_seconds) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (model_id, preset) DO UPDATE SET jobs = job_costs.jobs + EXCLUDED.jobs,"
                + " compute_seconds = job_costs.compute_seconds + EXCLUDED.compute_seconds")) {
      for (var e : costs.entrySet()) {
        ps.setString(1, e.getKey().get(0));
        ps.setString(2, e.getKey().get(1));
        ps.setLong(3, (long) e.getValue()[0]);
        ps.setDouble(4, e.getValue()[1]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private String preset(Connection c, String sweepId) throws SQLException {
    String p = presets.get(sweepId);
    if (p == null) {
      try (PreparedStatement ps = c.prepareStatement("SELECT preset FROM sweeps WHERE id = ?")) {
        ps.setString(1, sweepId);
        try (ResultSet rs = ps.executeQuery()) {
          p = rs.next() ? rs.getString(1) : "?";
        }
      }
      if (presets.size() > 10_000) {
        presets.clear();
      }
      presets.put(sweepId, p);
    }
    return p;
  }

  private static void completeSweeps(Connection c, Set<String> sweepIds) throws SQLException {
    if (sweepIds.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE sweeps s SET state = 'COMPLETED', completed_at = now() FROM sweep_progress p"
                + " WHERE p.sweep_id = s.id AND s.id = ANY (?) AND s.state = 'ACTIVE'"
                + " AND p.queued = 0 AND p.running = 0")) {
      ps.setArray(1, c.createArrayOf("text", sweepIds.toArray()));
      ps.executeUpdate();
    }
  }

  private static <T> T nat(JobResult r, Function<Certificate, T> f) {
    return r.natural() == null ? null : f.apply(r.natural());
  }

  private static <T> T att(JobResult r, Function<Certificate, T> f) {
    return r.attack() == null ? null : f.apply(r.attack());
  }

  static JobResult withoutImages(JobResult r) {
    if (r.images() == null) {
      return r;
    }
    return new JobResult(
        r.schemaVersion(), r.jobId(), r.sweepId(), r.modelId(), r.imageIndex(), r.target(), r.attempt(),
        r.workerId(), r.status(), r.label(), r.natural(), r.attack(), r.success(), r.targetedSuccess(),
        r.spoofLoss(), r.tv(), r.color(), r.dissim(), r.deltaL2(), r.deltaLinf(), r.steps(), r.wallMillis(),
        r.computeSeconds(), r.provenance(), null, r.failureReason());
  }
}

package dev.shadowfleet.launcher;

import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.outcome.BestOutcome;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fault suite's invariant, checked on the database after a sweep: every job ended exactly once
 * with one stored result, and each image outcome equals the best-per-image rule ({@link BestOutcome})
 * recomputed from all stored results. Independent of the coordinator's code: plain SQL reads and the
 * common rule.
 *
 * <ul>
 *   <li><b>lost</b>: a job not in a final state; a DONE/SKIPPED job without its result row (or a row
 *       whose job is not DONE/SKIPPED); a job FAILED without a reason, or because its attempts ran out
 *       on transient errors (the faults made it fail; a permanent verdict of the engine — target equal
 *       to the label, a NaN spoofing loss — is a legitimate end); a state counter below the actual
 *       count; an image outcome counting fewer results than stored;
 *   <li><b>duplicated</b>: a state counter above the actual count; an image outcome counting more
 *       results than stored;
 *   <li>any other difference (wrong best result, missing outcome, sweep not COMPLETED) is a problem.
 * </ul>
 */
final class Invariant {
  /** What the check found for one sweep. */
  record Report(String sweepId, long jobs, long lost, long duplicated, List<String> problems) {
    boolean holds() {
      return lost == 0 && duplicated == 0 && problems.isEmpty();
    }

    @Override
    public String toString() {
      return sweepId + ": " + jobs + " jobs, " + lost + " lost, " + duplicated + " duplicated"
          + (problems.isEmpty() ? "" : ", problems (first 10): " + problems.subList(0, Math.min(10, problems.size())));
    }
  }

  /**
   * How the worker words a job that failed on every attempt with transient errors ("failed 3
   * attempt(s); last: …"): under faults that means the faults, not the job, made it fail.
   */
  static final String RETRIES_EXHAUSTED = "attempt(s); last:";

  private Invariant() {}

  static Report check(Connection db, String sweepId) throws SQLException {
    List<String> problems = new ArrayList<>();
    long lost = 0;
    long duplicated = 0;

    Map<String, String[]> jobs = new TreeMap<>(); // id → state, reason, model, image, target
    for (String[] row : rows(db, "SELECT id, state, reason, model_id, image_index::text, target::text FROM jobs"
        + " WHERE sweep_id = ?", sweepId)) {
      jobs.put(row[0], row);
    }
    Map<String, JobResult> results = new HashMap<>();
    for (String[] row : rows(db, "SELECT job_id, result::text FROM job_results WHERE sweep_id = ?", sweepId)) {
      results.put(row[0], MessageCodec.decodeResult(row[1].getBytes(StandardCharsets.UTF_8)));
    }

    Map<String, Long> actual = new HashMap<>();
    for (String[] j : jobs.values()) {
      String state = j[1];
      actual.merge(state, 1L, Long::sum);
      boolean hasResult = results.containsKey(j[0]);
      switch (state) {
        case "DONE", "SKIPPED", "SKIPPED_LABEL" -> {
          if (!hasResult) {
            lost++;
            problems.add(j[0] + " is " + state + " without a stored result");
          }
        }
        case "FAILED" -> {
          if (hasResult || j[2] == null || j[2].isBlank() || j[2].contains(RETRIES_EXHAUSTED)) {
            lost++;
            problems.add(j[0] + " FAILED by the faults: " + j[2]);
          }
        }
        default -> {
          lost++;
          problems.add(j[0] + " never finished: " + state);
        }
      }
    }
    for (String id : results.keySet()) {
      String[] j = jobs.get(id);
      if (j == null || !(j[1].equals("DONE") || j[1].equals("SKIPPED") || j[1].equals("SKIPPED_LABEL"))) {
        problems.add("result " + id + " stored for a job in state " + (j == null ? "(no job)" : j[1]));
      }
    }

    List<String[]> progress = rows(db, "SELECT queued::text, running::text, done::text, skipped::text, skipped_label::text,"
        + " failed::text, cancelled::text FROM sweep_progress WHERE sweep_id = ?", sweepId);
    String[] states = {"QUEUED", "RUNNING", "DONE", "SKIPPED", "SKIPPED_LABEL", "FAILED", "CANCELLED"};
    if (progress.size() != 1) {
      problems.add("no progress row");
    } else {
      for (int i = 0; i < states.length; i++) {
        long counted = Long.parseLong(progress.get(0)[i]);
        long real = actual.getOrDefault(states[i], 0L);
        if (counted > real) {
          duplicated += counted - real;
        } else {
          lost += real - counted;
        }
        if (counted != real) {
          problems.add("counter " + states[i] + " says " + counted + ", the jobs table " + real);
        }
      }
    }

    Map<String, List<JobResult>> byImage = new TreeMap<>();
    // A target equal to the label is answered without an attack: stored, but no part of the image's outcome.
    results.values().stream().filter(r -> r.status() != JobStatus.SKIPPED_LABEL)
        .forEach(r -> byImage.computeIfAbsent(r.modelId() + "/" + r.imageIndex(), k -> new ArrayList<>()).add(r));
    Map<String, String[]> outcomes = new HashMap<>();
    for (String[] row : rows(db, "SELECT model_id || '/' || image_index, best_job_id, results::text FROM image_outcomes"
        + " WHERE sweep_id = ?", sweepId)) {
      outcomes.put(row[0], row);
    }
    for (var e : byImage.entrySet()) {
      String[] o = outcomes.remove(e.getKey());
      String best = BestOutcome.of(e.getValue()).orElseThrow().jobId();
      if (o == null) {
        problems.add("image " + e.getKey() + " has results but no outcome");
        continue;
      }
      if (!o[1].equals(best)) {
        problems.add("image " + e.getKey() + " outcome is " + o[1] + ", the rule picks " + best);
      }
      long counted = Long.parseLong(o[2]);
      if (counted > e.getValue().size()) {
        duplicated += counted - e.getValue().size();
        problems.add("image " + e.getKey() + " counts " + counted + " results, " + e.getValue().size() + " stored");
      } else if (counted < e.getValue().size()) {
        lost += e.getValue().size() - counted;
        problems.add("image " + e.getKey() + " counts " + counted + " results, " + e.getValue().size() + " stored");
      }
    }
    outcomes.keySet().forEach(k -> problems.add("image " + k + " has an outcome but no results"));

    List<String[]> sweep = rows(db, "SELECT state, total_jobs::text FROM sweeps WHERE id = ?", sweepId);
    if (sweep.size() != 1 || !sweep.get(0)[0].equals("COMPLETED")) {
      problems.add("sweep state " + (sweep.isEmpty() ? "(none)" : sweep.get(0)[0]));
    } else if (Long.parseLong(sweep.get(0)[1]) != jobs.size()) {
      problems.add("sweep has " + sweep.get(0)[1] + " jobs, the jobs table " + jobs.size());
    }
    return new Report(sweepId, jobs.size(), lost, duplicated, problems);
  }

  /**
   * Everything a redelivery must leave unchanged, as text: job states, stored results, image outcomes
   * and counters of {@code sweepId}.
   */
  static String snapshot(Connection db, String sweepId) throws SQLException {
    StringBuilder sb = new StringBuilder();
    for (String sql : List.of(
        "SELECT id, state, attempts::text, coalesce(reason, '') FROM jobs WHERE sweep_id = ? ORDER BY id",
        "SELECT job_id, result::text FROM job_results WHERE sweep_id = ? ORDER BY job_id",
        "SELECT model_id, image_index::text, best_job_id, results::text, encode(rank_key, 'hex') FROM image_outcomes"
            + " WHERE sweep_id = ? ORDER BY 1, 2",
        "SELECT queued::text, running::text, done::text, skipped::text, skipped_label::text,"
            + " failed::text, cancelled::text FROM sweep_progress WHERE sweep_id = ?")) {
      for (String[] row : rows(db, sql, sweepId)) {
        sb.append(String.join("|", row)).append('\n');
      }
    }
    return sb.toString();
  }

  private static List<String[]> rows(Connection db, String sql, String param) throws SQLException {
    List<String[]> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          String[] row = new String[n];
          for (int i = 0; i < n; i++) {
            row[i] = rs.getString(i + 1);
          }
          out.add(row);
        }
      }
    }
    return out;
  }
}

package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowfleet.common.message.JobPlacement;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.outcome.BestOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet end to end, every part a real process: a KRaft broker, PostgreSQL, the coordinator (its
 * built Quarkus app) and two worker processes running the real engine on the bundled models and real
 * Fashion-MNIST. A sweep of N images × all targets × two models must end with every job in an end state
 * exactly once (DONE, SKIPPED for an abstaining image, SKIPPED_LABEL for the true label's target; none
 * FAILED) and
 * every stored image outcome equal to the best-per-image rule recomputed from all stored results (common's
 * {@link BestOutcome}); the best result of each image carries its PNGs; workers reported RUNNING jobs.
 * Needs {@code coordinator/target/quarkus-app} (the reactor builds it before this module's tests).
 */
class FleetEndToEndTest {
  /** The launcher's plan: the jobs topic gets 2 × this many partitions. */
  private static final int MAX_WORKERS = 12;

  @TempDir Path dir;

  /** Small and quick: 4 images, 2 attack steps, a tiny certification budget (80 jobs). */
  @Test
  void aSmallSweepThroughTwoWorkerProcesses() throws Exception {
    ObjectNode overrides = CoordinatorClient.JSON.createObjectNode().put("steps", 2).put("noiseBatch", 8);
    run(4, overrides, 20, 200, false);
  }

  /** Issue-sized: 20 images × all targets × 2 models (400 jobs), the quick preset, n = 1,000. */
  @Test
  @Tag("heavy")
  void theIssuesSweepThroughTwoWorkerProcesses() throws Exception {
    run(20, CoordinatorClient.JSON.createObjectNode(), 100, 1000, true);
  }

  private void run(int images, ObjectNode overrides, int n0, int n, boolean bothWorkersBusy) throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent(); // surefire runs in launcher/
    Launch launch = new Launch(repo, System.getProperty("java.class.path"), null);
    assumeTrue(Files.isRegularFile(launch.coordinatorJar()), "coordinator not built: " + launch.coordinatorJar());
    assumeTrue(Files.isDirectory(launch.modelsDir()), "no bundled models");
    List<String> models = DemoSweep.defaultModels(launch.modelsDir());
    assertEquals(2, models.size(), "a smoothed and an IBP model: " + models);

    StringWriter log = new StringWriter();
    long t0 = System.nanoTime();
    try (LocalStack stack = LocalStack.open(new DataDir(dir.resolve("home")), launch, new PrintWriter(log, true))) {
      LocalStack.Infra infra = stack.startInfra(MAX_WORKERS, 0, 0);
      String url = stack.startCoordinator(infra, "127.0.0.1", 0);
      stack.startWorkers(2, infra.bootstrapServers());
      CoordinatorClient api = new CoordinatorClient(url, stack.operatorToken(infra)); // writes need a token
      api.registerModels(launch.modelsDir());
      ObjectNode request = (ObjectNode) new DemoSweep(images, models, "quick", n0, n).request();
      request.set("overrides", overrides);
      String id = api.submitSweep(request).get("id").asText();
      long s0 = System.nanoTime();

      long maxRunning = 0;
      JsonNode sweep;
      long deadline = System.nanoTime() + Duration.ofMinutes(bothWorkersBusy ? 30 : 6).toNanos();
      do {
        Thread.sleep(200);
        sweep = api.sweep(id);
        maxRunning = Math.max(maxRunning, sweep.path("progress").path("running").asLong());
        assertTrue(stack.failure().isEmpty(), () -> stack.failure().get());
        assertTrue(System.nanoTime() < deadline, () -> "sweep not finished in time:\n" + log);
      } while (!SweepReport.finished(sweep));
      double sweepSeconds = (System.nanoTime() - s0) / 1e9;
      long jobs = (long) images * 10 * models.size();
      assertEquals("COMPLETED", sweep.path("state").asText(), sweep.toString());
      assertEquals(jobs, sweep.path("jobs").asLong());
      assertTrue(maxRunning > 0, "workers reported started jobs: progress showed running > 0");

      try (Connection db = DriverManager.getConnection(infra.database().jdbcUrl(), infra.database().user(),
          infra.database().password())) {
        // every job in an end state once: one stored result each, the counters equal the states
        Map<String, Long> states = counts(db, "SELECT state, count(*) FROM jobs WHERE sweep_id = ? GROUP BY state", id);
        assertEquals(jobs, states.values().stream().mapToLong(Long::longValue).sum());
        // No job may fail. The engine's former NaN verdicts on a few quick-preset IBP jobs came from a DJL
        // scalar freed before the backward pass (engine.autograd.Scalars, docs/reliability.md): fixed at
        // the cause, so a FAILED job here is a fault of the engine or the pipeline again.
        assertTrue(List.of("DONE", "SKIPPED", "SKIPPED_LABEL").containsAll(states.keySet()),
            states + "; not DONE/SKIPPED: " + unfinished(db, id) + "\n" + perWorker(db, id));
        assertEquals((long) images * models.size(), states.get("SKIPPED_LABEL"), "one label target per image and model");
        assertEquals(jobs, one(db, "SELECT count(*) FROM job_results WHERE sweep_id = ?", id));
        assertEquals(0, one(db, "SELECT count(*) FROM jobs j LEFT JOIN job_results r ON r.job_id = j.id"
            + " WHERE j.sweep_id = ? AND (r.job_id IS NULL OR j.state <> CASE r.status"
            + " WHEN 'SKIPPED_ABSTAIN' THEN 'SKIPPED' ELSE r.status END)", id));
        Map<String, Long> counters = query(db,
            "SELECT queued, running, done, skipped, skipped_label, failed, cancelled FROM sweep_progress WHERE sweep_id = ?",
            id, rs -> {
              rs.next();
              Map<String, Long> row = new HashMap<>();
              for (String c : List.of("queued", "running", "done", "skipped", "skipped_label", "failed", "cancelled")) {
                row.put(c, rs.getLong(c));
              }
              return row;
            });
        assertEquals(states.getOrDefault("DONE", 0L), counters.get("done"));
        assertEquals(states.getOrDefault("SKIPPED", 0L), counters.get("skipped"));
        assertEquals(states.get("SKIPPED_LABEL"), counters.get("skipped_label"));
        assertEquals(0L, counters.get("failed"));
        assertEquals(0L, counters.get("queued") + counters.get("running") + counters.get("cancelled"));

        // every outcome is the rule recomputed from all stored results, and carries the PNGs
        Map<String, List<JobResult>> byImage = query(db, "SELECT result::text FROM job_results WHERE sweep_id = ?", id,
            rs -> {
              Map<String, List<JobResult>> all = new TreeMap<>();
              while (rs.next()) {
                JobResult r = MessageCodec.decodeResult(rs.getString(1).getBytes(StandardCharsets.UTF_8));
                all.computeIfAbsent(r.modelId() + "/" + r.imageIndex(), k -> new ArrayList<>()).add(r);
              }
              return all;
            });
        assertEquals(images * models.size(), byImage.size());
        int checked = query(db,
            "SELECT o.model_id, o.image_index, o.best_job_id, o.results, o.status, r.images IS NOT NULL AS pngs,"
                + " r.images ->> 'adversarial' IS NOT NULL AS adversarial"
                + " FROM image_outcomes o JOIN job_results r ON r.job_id = o.best_job_id WHERE o.sweep_id = ?", id,
            rs -> {
              int rows = 0;
              while (rs.next()) {
                String image = rs.getString(1) + "/" + rs.getInt(2);
                JobResult best = BestOutcome.of(byImage.get(image)).orElseThrow();
                assertEquals(best.jobId(), rs.getString(3), image);
                assertEquals(byImage.get(image).stream().filter(BestOutcome::counts).count(), rs.getInt(4), image);
                assertTrue(rs.getBoolean(6), "the best result of " + image + " carries its PNGs");
                assertEquals(rs.getString(5).equals("DONE"), rs.getBoolean(7), image);
                rows++;
              }
              return rows;
            });
        assertEquals(byImage.size(), checked, "one outcome per image and model");
        long workers = one(db, "SELECT count(DISTINCT worker_id) FROM job_results WHERE sweep_id = ?", id);
        if (bothWorkersBusy) {
          assertEquals(2, workers, "both worker processes ran jobs");
        }
        double compute = dbl(db, "SELECT sum(compute_seconds) FROM job_results WHERE sweep_id = ?", id);
        System.out.printf("fleet e2e: %d jobs, %d images × all targets × %s, %d worker(s) ran jobs, sweep %.1f s"
                + " (stack start %.1f s), compute %.1f s, max running %d, unfinished:%s,"
                + " load %s%n", jobs, images, models, workers, sweepSeconds, (s0 - t0) / 1e9, compute, maxRunning,
            unfinished(db, id),
            Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.print(perWorker(db, id));
      }
      assertNotNull(api.outcomes(id));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\nlauncher output:\n" + log + logs(dir.resolve("home")), e);
    } finally {
      keepLogs(dir.resolve("home").resolve("logs"), Path.of("target", "fleet-e2e-logs", images + "-images"));
    }
  }

  /** Copies the processes' logs out of the temporary directory (which JUnit deletes), for a look afterwards. */
  private static void keepLogs(Path from, Path to) {
    try (var files = Files.list(from)) {
      Files.createDirectories(to);
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (java.io.IOException e) {
      System.out.println("logs not kept: " + e);
    }
  }

  /**
   * Per worker: jobs, image batches, compute seconds, and when its last result was ingested relative to the
   * sweep's submission and to the sweep's last result (how long it sat idle while the other still worked).
   */
  private static String perWorker(Connection db, String sweepId) throws SQLException {
    StringBuilder sb = new StringBuilder();
    query(db,
        "SELECT r.worker_id, count(*), count(DISTINCT (r.model_id, r.image_index)), sum(r.compute_seconds),"
            + " extract(epoch FROM max(r.ingested_at) - min(s.created_at)),"
            + " extract(epoch FROM max(max(r.ingested_at)) OVER () - max(r.ingested_at)),"
            + " count(DISTINCT (r.model_id, r.image_index)) FILTER (WHERE r.model_id LIKE '%-rs-%')"
            + " FROM job_results r JOIN sweeps s ON s.id = r.sweep_id WHERE r.sweep_id = ?"
            + " GROUP BY r.worker_id ORDER BY r.worker_id", sweepId, rs -> {
          while (rs.next()) {
            sb.append(String.format("fleet e2e worker %s: %d jobs, %d image batches (%d smoothed), compute %.1f s,"
                    + " last result at %.1f s, idle for the last %.1f s%n", rs.getString(1), rs.getLong(2),
                rs.getLong(3), rs.getLong(7), rs.getDouble(4), rs.getDouble(5), rs.getDouble(6)));
          }
          return null;
        });
    // which jobs-topic partitions each worker's image batches came from (JobPlacement: where the relay put them)
    int partitions = FleetTopics.plan(MAX_WORKERS).get(0).partitions();
    Map<String, java.util.SortedSet<Integer>> byWorker = new TreeMap<>();
    query(db,
        "SELECT r.worker_id, j.seq, (SELECT count(DISTINCT model_id) FROM jobs WHERE sweep_id = ?),"
            + " (SELECT count(DISTINCT target) FROM jobs WHERE sweep_id = ?)"
            + " FROM job_results r JOIN jobs j ON j.id = r.job_id WHERE r.sweep_id = ?", sweepId, rs -> {
          while (rs.next()) {
            byWorker.computeIfAbsent(rs.getString(1), k -> new java.util.TreeSet<>()).add(
                JobPlacement.partition(sweepId, rs.getLong(2), rs.getInt(3), rs.getInt(4), partitions));
          }
          return null;
        });
    byWorker.forEach((w, ps) -> sb.append(String.format("fleet e2e worker %s: partitions %s of %d%n", w, ps, partitions)));
    return sb.toString();
  }

  /** Jobs in another state than DONE, SKIPPED or SKIPPED_LABEL, with their reasons. */
  private static String unfinished(Connection db, String sweepId) throws SQLException {
    return query(db, "SELECT id, state, attempts, reason FROM jobs WHERE sweep_id = ?"
        + " AND state NOT IN ('DONE', 'SKIPPED', 'SKIPPED_LABEL') ORDER BY id LIMIT 20", sweepId, rs -> {
          StringBuilder sb = new StringBuilder();
          while (rs.next()) {
            sb.append(String.format("%n  %s %s after %d attempt(s): %s", rs.getString(1), rs.getString(2),
                rs.getInt(3), rs.getString(4)));
          }
          return sb.toString();
        });
  }

  private static String logs(Path home) {
    StringBuilder sb = new StringBuilder();
    for (String name : List.of("coordinator", "worker-1", "worker-2")) {
      Path f = home.resolve("logs").resolve(name + ".log");
      sb.append("\n--- ").append(name).append(":\n").append(ChildProcess.tail(f, 30));
      sb.append("\n--- ").append(name).append(", warnings and failures:\n").append(warnings(f, 40));
    }
    return sb.toString();
  }

  /** The first {@code max} lines of a log that warn or report a failed job. */
  private static String warnings(Path log, int max) {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
        return String.join("\n", lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains(" FAILED "))
            .limit(max).toList());
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** What {@code read} makes of the rows of {@code sql}, every {@code ?} in it bound to the sweep id. */
  private static <T> T query(Connection db, String sql, String sweepId, Rows<T> read) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(sql)) {
      for (int i = 1; i <= st.getParameterMetaData().getParameterCount(); i++) {
        st.setString(i, sweepId);
      }
      try (ResultSet rs = st.executeQuery()) {
        return read.from(rs);
      }
    }
  }

  @FunctionalInterface
  private interface Rows<T> {
    T from(ResultSet rs) throws SQLException;
  }

  private static Map<String, Long> counts(Connection db, String sql, String sweepId) throws SQLException {
    return query(db, sql, sweepId, rs -> {
      Map<String, Long> out = new TreeMap<>();
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
      return out;
    });
  }

  private static long one(Connection db, String sql, String sweepId) throws SQLException {
    return query(db, sql, sweepId, rs -> rs.next() ? rs.getLong(1) : 0L);
  }

  private static double dbl(Connection db, String sql, String sweepId) throws SQLException {
    return query(db, sql, sweepId, rs -> rs.next() ? rs.getDouble(1) : 0.0);
  }
}

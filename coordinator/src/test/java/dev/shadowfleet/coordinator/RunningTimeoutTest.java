package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Topics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stuck RUNNING jobs against the real broker and database: jobs go RUNNING through real started records,
 * then their stamps are backdated past {@code shadowfleet.jobs.running-timeout} (10 min) as if their worker
 * had died an hour ago. The coordinator's periodic check (every 500 ms in tests) must return exactly the
 * stale RUNNING jobs to QUEUED, with the sweep's counters, and leave fresh RUNNING jobs and every finished
 * job alone even when their stamp is old; a later started record makes a returned job RUNNING again and a
 * result finishes one from QUEUED.
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class RunningTimeoutTest {
  @Inject AgroalDataSource db;

  @Test
  void staleRunningJobsGoBackToQueuedAndNothingElseChanges() throws Exception {
    String rs = Api.model(false);
    Map<String, Object> body = Api.sweep(1, rs); // image 0, label 0
    body.put("targets", List.of(1, 2, 3, 4, 5));
    String sweep = Api.submit(body);
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 5).stream()
        .sorted(Comparator.comparing(AttackJob::target)).distinct().toList();
    assertEquals(5, jobs.size());
    AttackJob stale1 = jobs.get(0);
    AttackJob stale2 = jobs.get(1);
    AttackJob fresh = jobs.get(2);
    AttackJob done = jobs.get(3);
    AttackJob failed = jobs.get(4);
    Random rnd = new Random(11);

    try (FakeWorker worker = new FakeWorker()) {
      worker.publishStarted(JobsStarted.of(jobs, "w-dead"));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> state(stale1).equals("RUNNING") && state(failed).equals("RUNNING"));
    for (AttackJob j : jobs) {
      assertNotNull(runningSince(j), "a started job is stamped: " + j.jobId());
    }
    try (FakeWorker worker = new FakeWorker()) {
      worker.publish(done(done, rnd));
      JobFailure f = new JobFailure(1, failed.jobId(), 3, "w-dead", "imageIndex", "NaN loss", null, Instant.now());
      worker.send(Topics.JOBS_DLQ, failed.key(), MessageCodec.encode(f));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> state(done).equals("DONE") && state(failed).equals("FAILED"));
    assertNull(runningSince(done), "a finished job has no stamp");
    IngestionTest.assertCountersMatchJobs(db, sweep);

    // the worker of stale1/stale2 died an hour ago; give the finished jobs old stamps too (they must stay)
    exec("UPDATE jobs SET running_since = now() - interval '1 hour' WHERE id IN ("
        + quoted(stale1, stale2, done, failed) + ")");
    await().atMost(Duration.ofSeconds(30)).until(() -> state(stale1).equals("QUEUED") && state(stale2).equals("QUEUED"));
    Thread.sleep(1_500); // three more checks: nothing else may move
    assertEquals("QUEUED", state(stale1));
    assertEquals("RUNNING", state(fresh), "a job started moments ago stays RUNNING");
    assertEquals("DONE", state(done));
    assertEquals("FAILED", state(failed));
    assertNull(runningSince(stale1), "a QUEUED job has no stamp");
    IngestionTest.assertCountersMatchJobs(db, sweep);
    given().get("/api/sweeps/" + sweep).then().statusCode(200).body("state", equalTo("ACTIVE"))
        .body("progress.queued", equalTo(2)).body("progress.running", equalTo(1))
        .body("progress.done", equalTo(1)).body("progress.failed", equalTo(1));

    // the redo: another worker's started record makes stale1 RUNNING again with a fresh stamp; a result
    // finishes stale2 from QUEUED; a repeated started record of the computing job renews its stamp
    long freshBefore = runningSince(fresh);
    Thread.sleep(20);
    try (FakeWorker worker = new FakeWorker()) {
      worker.publishStarted(JobsStarted.of(List.of(stale1), "w-redo"));
      worker.publish(done(stale2, rnd));
      worker.publishStarted(JobsStarted.of(List.of(fresh), "w-live"));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> state(stale1).equals("RUNNING") && state(stale2).equals("DONE")
        && runningSince(fresh) > freshBefore);
    Thread.sleep(1_500);
    assertEquals("RUNNING", state(stale1), "restarted moments ago: not stale");
    long age = System.currentTimeMillis() - runningSince(stale1);
    assertTrue(age < 60_000, "stamped at the redo's start, " + age + " ms ago");
    IngestionTest.assertCountersMatchJobs(db, sweep);

    // stale again, then its result arrives: the result wins whatever the check did in between
    exec("UPDATE jobs SET running_since = now() - interval '1 hour' WHERE id IN (" + quoted(stale1) + ")");
    try (FakeWorker worker = new FakeWorker()) {
      worker.publish(done(stale1, rnd));
      worker.publish(done(fresh, rnd));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> state(stale1).equals("DONE") && state(fresh).equals("DONE"));
    IngestionTest.assertCountersMatchJobs(db, sweep);
    given().get("/api/sweeps/" + sweep).then().body("state", equalTo("COMPLETED"))
        .body("progress.done", equalTo(4)).body("progress.failed", equalTo(1)).body("progress.running", equalTo(0));
  }

  private static JobResult done(AttackJob j, Random rnd) {
    JobResult r;
    do {
      r = Results.random(j, rnd, false);
    } while (r.status() != JobStatus.DONE);
    return r;
  }

  private String state(AttackJob j) {
    return (String) Api.rows(db, "SELECT state FROM jobs WHERE id = '" + j.jobId() + "'").get(0).get("state");
  }

  /** The job's stamp in epoch milliseconds, or null. */
  private Long runningSince(AttackJob j) {
    Object v = Api.rows(db, "SELECT (extract(epoch FROM running_since) * 1000)::bigint AS t FROM jobs WHERE id = '"
        + j.jobId() + "'").get(0).get("t");
    return v == null ? null : ((Number) v).longValue();
  }

  private static String quoted(AttackJob... jobs) {
    return String.join(", ", java.util.Arrays.stream(jobs).map(j -> "'" + j.jobId() + "'").toList());
  }

  private void exec(String sql) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }
}

package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.common.outcome.BestOutcome;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A fake worker publishes real results to the real broker; the database must follow the rules. */
@QuarkusTest
@WithTestResource(RealServices.class)
class IngestionTest {
  @Inject AgroalDataSource db;

  @Test
  void resultsBecomeJobStatesAndTheBestOutcomePerImage() {
    String rs = Api.model(false);
    String ibp = Api.model(true);
    String sweep = Api.submit(Api.sweep(6, rs, ibp)); // 6 images × 2 models × 10 targets = 120 jobs
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 120);
    Random rnd = new Random(42);
    List<JobResult> results = new ArrayList<>();
    for (AttackJob job : jobs) {
      results.add(Results.random(job, rnd, job.ibp() != null));
    }
    List<JobResult> delivered = new ArrayList<>(results);
    for (int i = 0; i < 40; i++) {
      delivered.add(results.get(rnd.nextInt(results.size()))); // redeliveries
    }
    Collections.shuffle(delivered, rnd);
    publish(delivered);
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 120);

    assertEquals(120, Api.count(db, "SELECT count(*) FROM job_results WHERE sweep_id = '" + sweep + "'"));
    assertEquals(0, Api.count(db, "SELECT count(*) FROM jobs j JOIN job_results r ON r.job_id = j.id WHERE j.sweep_id = '"
        + sweep + "' AND j.state <> CASE r.status WHEN 'DONE' THEN 'DONE' WHEN 'SKIPPED_ABSTAIN' THEN 'SKIPPED' ELSE 'CANCELLED' END"));
    assertCountersMatchJobs(sweep);

    // Outcomes equal the rule recomputed from everything stored, and from what the worker sent.
    Map<String, List<JobResult>> stored = new TreeMap<>();
    for (Map<String, Object> row : Api.rows(db, "SELECT result::text AS r FROM job_results WHERE sweep_id = '" + sweep + "'")) {
      JobResult r = MessageCodec.decodeResult(((String) row.get("r")).getBytes(StandardCharsets.UTF_8));
      stored.computeIfAbsent(r.modelId() + "/" + r.imageIndex(), k -> new ArrayList<>()).add(r);
    }
    Map<String, List<JobResult>> sent = results.stream().collect(Collectors.groupingBy(r -> r.modelId() + "/" + r.imageIndex()));
    List<Map<String, Object>> outcomes = Api.rows(db, "SELECT * FROM image_outcomes WHERE sweep_id = '" + sweep + "'");
    assertEquals(12, outcomes.size());
    for (Map<String, Object> o : outcomes) {
      String image = o.get("model_id") + "/" + o.get("image_index");
      JobResult best = BestOutcome.of(stored.get(image)).orElseThrow();
      assertEquals(best.jobId(), BestOutcome.of(sent.get(image)).orElseThrow().jobId());
      assertEquals(best.jobId(), o.get("best_job_id"), image);
      assertEquals(best.success(), o.get("success"));
      assertEquals(best.status().name(), o.get("status"));
      assertEquals(best.attack() == null ? null : best.attack().radius(), o.get("attack_radius"));
      assertEquals(best.spoofLoss(), o.get("spoof_loss"));
      assertEquals(10, o.get("results"));
    }

    given().get("/api/sweeps/" + sweep).then().statusCode(200)
        .body("state", equalTo("COMPLETED")).body("progress.finished", equalTo(120)).body("progress.queued", equalTo(0));
    given().get("/api/sweeps/" + sweep + "/outcomes?size=5&page=1").then().statusCode(200)
        .body("total", equalTo(12)).body("items.size()", equalTo(5));
    JobResult one = results.get(0);
    given().get("/api/jobs/" + one.jobId()).then().statusCode(200)
        .body("result.jobId", equalTo(one.jobId())).body("published", equalTo(true));
  }

  @Test
  void arrivalOrderAndRedeliveriesDoNotChangeTheDatabase() {
    String rs = Api.model(false);
    String a = Api.submit(Api.sweep(5, rs));
    String b = Api.submit(Api.sweep(5, rs));
    List<AttackJob> jobs = FakeWorker.jobsOf(a, 50);
    Random rnd = new Random(99);
    List<JobResult> forA = jobs.stream().map(j -> Results.random(j, rnd, false)).toList();
    List<JobResult> forB = new ArrayList<>();
    for (JobResult r : forA) {
      forB.add(Results.inSweep(r, b));
      forB.add(Results.inSweep(r, b));
    }
    Collections.shuffle(forB, new Random(5));
    publish(forA);
    publish(forB);
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(a) == 50 && finished(b) == 50);

    String outcomeCols = "model_id, image_index, substr(best_job_id, 14) AS job, target, status, label, success, targeted_success,"
        + " natural_label, natural_certified, natural_radius, attack_label, attack_certified, attack_radius, attack_method,"
        + " spoof_loss, tv, results, substr(rank_key, 24 + 2 * 13) AS key_tail";
    assertEquals(
        Api.rows(db, "SELECT " + outcomeCols + " FROM image_outcomes WHERE sweep_id = '" + a + "' ORDER BY 1, 2"),
        Api.rows(db, "SELECT " + outcomeCols + " FROM image_outcomes WHERE sweep_id = '" + b + "' ORDER BY 1, 2"));
    String resultCols = "substr(job_id, 14) AS job, status, attempt, success, attack_radius, spoof_loss, tv,"
        + " result::jsonb - 'jobId' - 'sweepId' AS body, images::text AS images";
    assertEquals(
        Api.rows(db, "SELECT " + resultCols + " FROM job_results WHERE sweep_id = '" + a + "' ORDER BY 1"),
        Api.rows(db, "SELECT " + resultCols + " FROM job_results WHERE sweep_id = '" + b + "' ORDER BY 1"));
    assertEquals(
        Api.rows(db, "SELECT queued, running, done, skipped, failed, cancelled FROM sweep_progress WHERE sweep_id = '" + a + "'"),
        Api.rows(db, "SELECT queued, running, done, skipped, failed, cancelled FROM sweep_progress WHERE sweep_id = '" + b + "'"));
  }

  @Test
  void unreadableOrUnknownResultsGoToTheDlqAndIngestionGoesOn() {
    String rs = Api.model(false);
    Map<String, Object> body = Api.sweep(1, rs);
    body.put("targets", List.of(3));
    String sweep = Api.submit(body);
    AttackJob job = FakeWorker.jobsOf(sweep, 1).get(0);
    JobResult good = Results.random(job, new Random(1), false);
    String marker = "poison-" + sweep;
    try (FakeWorker worker = new FakeWorker()) {
      worker.send(Topics.RESULTS, marker, ("not json " + marker).getBytes(StandardCharsets.UTF_8));
      worker.send(Topics.RESULTS, marker, ("{\"schemaVersion\": 99, \"jobId\": \"" + marker + "\"}").getBytes(StandardCharsets.UTF_8));
      worker.send(Topics.RESULTS, marker, ("{\"schemaVersion\": 1, \"jobId\": \"" + marker + "\"}").getBytes(StandardCharsets.UTF_8));
      worker.publish(Results.inSweep(good, "sx-" + sweep.substring(3))); // no such sweep, so no such job
      worker.flush();
      worker.publish(good);
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 1);
    List<JobFailure> dlq = FakeWorker.read(Topics.RESULTS_DLQ, r -> new String(r.value(), StandardCharsets.UTF_8).contains(sweep.substring(3)), 4, Duration.ofSeconds(30))
        .stream().map(r -> MessageCodec.decodeFailure(r.value())).toList();
    assertEquals(4, dlq.size(), dlq.toString());
    assertTrue(dlq.stream().anyMatch(f -> f.field().equals("$") && f.reason().contains("not JSON")), dlq.toString());
    assertTrue(dlq.stream().anyMatch(f -> f.field().equals("schemaVersion") && f.reason().contains("99")), dlq.toString());
    assertTrue(dlq.stream().anyMatch(f -> f.field().equals("jobId") && f.reason().contains("no job sx-")), dlq.toString());
    assertTrue(dlq.stream().allMatch(f -> f.payload() != null && !f.reason().isBlank()));
  }

  @Test
  void aJobOnTheJobsDlqIsFailedWithItsReasonUntilAResultArrives() {
    String rs = Api.model(false);
    Map<String, Object> body = Api.sweep(1, rs);
    body.put("targets", List.of(1, 2));
    String sweep = Api.submit(body);
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 2);
    AttackJob poison = jobs.get(0);
    try (FakeWorker worker = new FakeWorker()) {
      JobFailure failure = new JobFailure(1, poison.jobId(), 3, "worker-7", "imageIndex", "NaN loss at step 4", MessageCodec.encodeToString(poison), Instant.now());
      worker.send(Topics.JOBS_DLQ, poison.key(), MessageCodec.encode(failure));
      worker.publish(JobResult.failed(poison, "worker-7", "imageIndex", "NaN loss at step 4", 10)); // the worker sends both
      worker.publish(Results.random(jobs.get(1), new Random(3), false));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 2);
    given().get("/api/jobs/" + poison.jobId()).then().statusCode(200)
        .body("state", equalTo("FAILED")).body("attempts", equalTo(3)).body("reason", containsString("NaN loss"));
    given().get("/api/sweeps/" + sweep).then().body("progress.failed", equalTo(1)).body("state", equalTo("COMPLETED"));
    assertCountersMatchJobs(sweep);

    try (FakeWorker worker = new FakeWorker()) { // a late result of an earlier attempt still counts
      worker.publish(Results.random(poison, new Random(4), false));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(
        () -> Api.count(db, "SELECT count(*) FROM jobs WHERE id = '" + poison.jobId() + "' AND state <> 'FAILED'") == 1);
    assertCountersMatchJobs(sweep);
  }

  private void assertCountersMatchJobs(String sweep) {
    assertCountersMatchJobs(db, sweep);
  }

  /** The counters in sweep_progress equal a count of the jobs table by state. */
  static void assertCountersMatchJobs(AgroalDataSource db, String sweep) {
    Map<String, Object> counters = Api.rows(db,
        "SELECT queued, running, done, skipped, skipped_label, failed, cancelled FROM sweep_progress WHERE sweep_id = '"
            + sweep + "'").get(0);
    Map<String, Object> actual = Api.rows(db,
        "SELECT count(*) FILTER (WHERE state = 'QUEUED') AS queued, count(*) FILTER (WHERE state = 'RUNNING') AS running,"
            + " count(*) FILTER (WHERE state = 'DONE') AS done, count(*) FILTER (WHERE state = 'SKIPPED') AS skipped,"
            + " count(*) FILTER (WHERE state = 'SKIPPED_LABEL') AS skipped_label,"
            + " count(*) FILTER (WHERE state = 'FAILED') AS failed, count(*) FILTER (WHERE state = 'CANCELLED') AS cancelled"
            + " FROM jobs WHERE sweep_id = '" + sweep + "'").get(0);
    assertEquals(actual, counters);
  }

  private long finished(String sweep) {
    return Api.count(db, "SELECT done + skipped + failed + cancelled FROM sweep_progress WHERE sweep_id = '" + sweep + "'");
  }

  private static void publish(List<JobResult> results) {
    try (FakeWorker worker = new FakeWorker()) {
      results.forEach(worker::publish);
      worker.flush();
    }
  }
}

package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobsStarted;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Job states the workers report besides results: RUNNING from their started records (idempotent and
 * order-free), and SKIPPED_LABEL for a target equal to the image's true label, counted apart and left
 * out of every outcome and rate.
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class JobStatesTest {
  @Inject AgroalDataSource db;

  @Test
  void labelTargetsAreSkippedCountedApartAndLeftOutOfOutcomes() {
    String rs = Api.model(false);
    String sweep = Api.submit(Api.sweep(3, rs)); // 3 images × all 10 targets: 3 of them are labels
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 30);
    Random rnd = new Random(8);
    try (FakeWorker worker = new FakeWorker()) {
      for (AttackJob j : jobs) {
        int label = Results.label(j.imageIndex());
        worker.publish(j.target() == label ? JobResult.skippedLabel(j, "w", label) : Results.random(j, rnd, false));
      }
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 30);
    given().get("/api/sweeps/" + sweep).then().statusCode(200)
        .body("state", equalTo("COMPLETED")).body("progress.skippedLabel", equalTo(3))
        .body("progress.finished", equalTo(30)).body("progress.percent", equalTo(100.0f));
    IngestionTest.assertCountersMatchJobs(db, sweep);
    assertEquals(3, Api.count(db, "SELECT count(*) FROM jobs WHERE sweep_id = '" + sweep + "' AND state = 'SKIPPED_LABEL'"
        + " AND target = image_index % 10"));
    // no outcome is a label target, and each image's outcome counts its nine attempts only
    for (Map<String, Object> o : Api.rows(db, "SELECT * FROM image_outcomes WHERE sweep_id = '" + sweep + "'")) {
      assertEquals(9, o.get("results"));
      assertFalse(o.get("target").equals(Results.label((Integer) o.get("image_index"))), o.toString());
    }
    assertEquals(30L, Api.rows(db, "SELECT finished FROM v_sweep_progress WHERE sweep_id = '" + sweep + "'").get(0).get("finished"));
    assertEquals(3L, Api.rows(db, "SELECT skipped_label FROM v_sweep_progress WHERE sweep_id = '" + sweep + "'").get(0).get("skipped_label"));
    // success by target class has no entry for a job that never ran
    List<Integer> targets = given().get("/api/sweeps/" + sweep + "/summary").then().statusCode(200)
        .extract().path("models[0].successByTarget.target");
    given().get("/api/sweeps/" + sweep + "/images/" + rs + "/1").then().statusCode(200)
        .body("targets.find { it.target == 1 }.state", equalTo("SKIPPED_LABEL"));
    assertEquals(Api.count(db, "SELECT count(DISTINCT target) FROM job_results WHERE sweep_id = '" + sweep
        + "' AND status = 'DONE'"), targets.size());
  }

  @Test
  void startedRecordsMarkJobsRunningWhateverTheirOrderAndCount() {
    String rs = Api.model(false);
    Map<String, Object> body = Api.sweep(3, rs);
    body.put("targets", List.of(4, 5)); // image 0: both attacked
    String sweep = Api.submit(body);
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 6);
    List<AttackJob> image0 = jobs.stream().filter(j -> j.imageIndex() == 0).toList();
    List<AttackJob> image1 = jobs.stream().filter(j -> j.imageIndex() == 1).toList();
    List<AttackJob> image2 = jobs.stream().filter(j -> j.imageIndex() == 2).toList();
    Random rnd = new Random(2);
    try (FakeWorker worker = new FakeWorker()) {
      worker.publishStarted(JobsStarted.of(image0, "w1"));
      worker.publishStarted(JobsStarted.of(image0, "w1")); // a duplicate
      worker.publishStarted(JobsStarted.of(image1, "w2"));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> progress(sweep).get("running").equals(4L));
    given().get("/api/sweeps/" + sweep).then().body("progress.running", equalTo(4)).body("progress.queued", equalTo(2));
    IngestionTest.assertCountersMatchJobs(db, sweep);

    try (FakeWorker worker = new FakeWorker()) {
      image0.forEach(j -> worker.publish(done(j, rnd)));
      worker.publishStarted(JobsStarted.of(image0, "w3")); // a redo's start, after the results: no effect
      image2.forEach(j -> worker.publish(done(j, rnd))); // results with no start seen (a lost record)
      worker.publishStarted(JobsStarted.of(image2, "w3")); // ... and then a late start
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 4);
    IngestionTest.assertCountersMatchJobs(db, sweep);
    Map<String, Object> p = progress(sweep);
    assertEquals(2L, p.get("running"), p.toString());
    assertEquals(0L, p.get("queued"), p.toString());
    given().get("/api/jobs/" + image1.get(0).jobId()).then().body("state", equalTo("RUNNING"));

    try (FakeWorker worker = new FakeWorker()) {
      image1.forEach(j -> worker.publish(done(j, rnd)));
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 6);
    IngestionTest.assertCountersMatchJobs(db, sweep);
    given().get("/api/sweeps/" + sweep).then().body("state", equalTo("COMPLETED")).body("progress.running", equalTo(0));
  }

  private static JobResult done(AttackJob j, Random rnd) {
    JobResult r;
    do {
      r = Results.random(j, rnd, false);
    } while (r.status() != dev.shadowfleet.common.message.JobStatus.DONE);
    return r;
  }

  private Map<String, Object> progress(String sweep) {
    return Api.rows(db, "SELECT queued, running, done FROM sweep_progress WHERE sweep_id = '" + sweep + "'").get(0);
  }

  private long finished(String sweep) {
    return Api.count(db, "SELECT done + skipped + skipped_label + failed + cancelled FROM sweep_progress WHERE sweep_id = '"
        + sweep + "'");
  }
}

package dev.shadowfleet.coordinator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.SweepControl;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.coordinator.sweep.FanoutRelay;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cancel: unpublished jobs are CANCELLED at once, the relay publishes no more of the sweep, a
 * SweepControl tells the workers, and published jobs end with whatever the workers report.
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class CancelTest {
  @Inject FanoutRelay relay;
  @Inject AgroalDataSource db;

  @AfterEach
  void restartRelay() {
    relay.crashAfterPages(-1);
    relay.start();
  }

  @Test
  void cancelStopsPublicationAndTheCountsConverge() {
    String rs = Api.model(false);
    relay.crashAfterPages(1); // stop the relay with page 1 published and page 2 on Kafka, cursor at 100
    String sweep = Api.submit(Api.sweep(30, rs)); // 300 jobs
    await().atMost(Duration.ofSeconds(60)).until(() -> !relay.isAlive());

    given().post("/api/sweeps/" + sweep + "/cancel").then().statusCode(200)
        .body("state", equalTo("CANCELLED"))
        .body("progress.cancelled", equalTo(200))
        .body("progress.queued", equalTo(100));
    given().post("/api/sweeps/" + sweep + "/cancel").then().statusCode(200).body("progress.cancelled", equalTo(200));
    relay.start();

    List<SweepControl> controls = FakeWorker.read(Topics.SWEEPS, r -> new String(r.key(), StandardCharsets.UTF_8).equals(sweep), 1, Duration.ofSeconds(30))
        .stream().map(r -> MessageCodec.decode(r.value(), SweepControl.class)).toList();
    assertEquals(1, controls.size());
    assertTrue(controls.get(0).cancelled());

    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 200);
    assertEquals(200, jobs.size(), "pages 1 and 2 only: nothing more of a cancelled sweep is published");
    assertEquals(100, Api.count(db, "SELECT published_jobs FROM sweeps WHERE id = '" + sweep + "'"));

    try (FakeWorker worker = new FakeWorker()) {
      boolean first = true;
      for (AttackJob job : jobs) {
        if (first) { // one job had already started when the cancellation arrived
          JobResult done = Results.random(job, new Random(11), false);
          while (done.status() != dev.shadowfleet.common.message.JobStatus.DONE) {
            done = Results.random(job, new Random(done.hashCode()), false);
          }
          worker.publish(done);
          first = false;
        } else {
          worker.publish(JobResult.cancelled(job, "fake-worker"));
        }
      }
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(
        () -> Api.count(db, "SELECT queued FROM sweep_progress WHERE sweep_id = '" + sweep + "'") == 0);
    given().get("/api/sweeps/" + sweep).then().statusCode(200)
        .body("state", equalTo("CANCELLED"))
        .body("progress.done", equalTo(1))
        .body("progress.cancelled", equalTo(299));
    assertEquals(299, Api.count(db, "SELECT count(*) FROM jobs WHERE sweep_id = '" + sweep + "' AND state = 'CANCELLED'"));
    given().post("/api/sweeps/sw-nonexistent/cancel").then().statusCode(404);
  }
}

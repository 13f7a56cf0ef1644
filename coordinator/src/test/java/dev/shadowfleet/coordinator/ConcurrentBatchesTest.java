package dev.shadowfleet.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.outcome.BestOutcome;
import dev.shadowfleet.coordinator.ingest.ResultBatchWriter;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The same results written by several transactions at once (a partition redelivered to another consumer
 * while the first still writes it), each batch large enough for the COPY path: every result is stored
 * once, no batch fails, and states, counters and outcomes are those of one delivery.
 */
@QuarkusTest
@WithTestResource(RealServices.class)
class ConcurrentBatchesTest {
  @Inject AgroalDataSource db;
  @Inject ResultBatchWriter writer;

  @Test
  void overlappingBatchesInConcurrentTransactionsStoreEveryResultOnce() throws Exception {
    String rs = Api.model(false);
    String sweep = Api.submit(Api.sweep(12, rs)); // 12 images × 10 targets = 120 jobs
    List<AttackJob> jobs = FakeWorker.jobsOf(sweep, 120);
    Random rnd = new Random(7);
    List<JobResult> results = jobs.stream().map(j -> Results.random(j, rnd, false)).toList();
    int writers = 4;
    List<List<JobResult>> batches = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      List<JobResult> batch = new ArrayList<>(results.subList(0, 60 + 20 * w)); // 80 to 140 records of 80 to 120 jobs
      batch.addAll(results.subList(100, 120));
      Collections.shuffle(batch, new Random(w));
      batches.add(batch);
    }
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<ResultBatchWriter.Summary>> done = new ArrayList<>();
      for (List<JobResult> batch : batches) {
        done.add(pool.submit(() -> {
          go.await();
          return QuarkusTransaction.requiringNew().call(() -> writer.write(ResultsApiTest.incoming(batch), List.of()));
        }));
      }
      go.countDown();
      int stored = 0;
      int duplicates = 0;
      for (Future<ResultBatchWriter.Summary> f : done) {
        ResultBatchWriter.Summary s = f.get(); // a failed batch throws here
        stored += s.stored();
        duplicates += s.duplicates();
        assertEquals(List.of(), s.rejected());
      }
      int delivered = batches.stream().mapToInt(List::size).sum();
      assertEquals(120, stored);
      assertEquals(delivered - 120, duplicates);
    } finally {
      pool.shutdownNow();
    }

    String s = "'" + sweep + "'";
    assertEquals(120, Api.count(db, "SELECT count(*) FROM job_results WHERE sweep_id = " + s));
    assertEquals(0, Api.count(db, "SELECT count(*) FROM jobs j LEFT JOIN job_results r ON r.job_id = j.id WHERE j.sweep_id = " + s
        + " AND j.state IS DISTINCT FROM CASE r.status WHEN 'DONE' THEN 'DONE' WHEN 'SKIPPED_ABSTAIN' THEN 'SKIPPED' ELSE 'CANCELLED' END"));
    IngestionTest.assertCountersMatchJobs(db, sweep);
    assertEquals(0, Api.count(db, "SELECT queued + running FROM sweep_progress WHERE sweep_id = " + s));
    Map<Integer, List<JobResult>> byImage = results.stream().collect(Collectors.groupingBy(JobResult::imageIndex));
    List<Map<String, Object>> outcomes = Api.rows(db, "SELECT image_index, best_job_id, results FROM image_outcomes WHERE sweep_id = " + s);
    assertEquals(12, outcomes.size());
    for (Map<String, Object> o : outcomes) {
      List<JobResult> image = byImage.get((Integer) o.get("image_index"));
      assertEquals(BestOutcome.of(image).orElseThrow().jobId(), o.get("best_job_id"));
      assertEquals(10, o.get("results"));
    }
  }
}

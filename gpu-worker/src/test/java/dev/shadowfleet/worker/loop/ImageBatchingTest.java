package dev.shadowfleet.worker.loop;

import static dev.shadowfleet.worker.loop.TestJobs.await;
import static dev.shadowfleet.worker.loop.TestJobs.dedup;
import static dev.shadowfleet.worker.loop.TestJobs.image;
import static dev.shadowfleet.worker.loop.TestJobs.publish;
import static dev.shadowfleet.worker.loop.TestJobs.results;
import static dev.shadowfleet.worker.loop.TestJobs.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a real broker: the targets of one image that arrive in different polls are still attacked in one
 * batch, an image whose other targets never come starts after the batch wait, and every batch is
 * announced by one started record ahead of its results.
 */
class ImageBatchingTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<Integer> NINE = List.of(0, 1, 2, 3, 4, 6, 7, 8, 9); // image 5: label 5
  private static KafkaTestCluster kafka;
  private final List<Worker> workers = new ArrayList<>();

  @BeforeAll
  static void cluster() throws Exception {
    kafka = KafkaTestCluster.shared();
  }

  @AfterEach
  void stop() {
    workers.forEach(Worker::close);
  }

  /** Two records a poll, so an image of nine targets needs five polls; a long batch wait. */
  private WorkerConfig config(TopicNames t, Duration batchWait) {
    WorkerConfig base = AttackJobConsumerTest.configFor(kafka, t, KafkaTestCluster.newGroup(), "w");
    return new WorkerConfig(base.bootstrapServers(), base.groupId(), base.workerId(), base.modelsDir(), 2,
        base.maxPollInterval(), base.sessionTimeout(), base.pollTimeout(), base.maxAttempts(),
        base.shutdownDeadline(), -1, "cpu", t, batchWait);
  }

  @Test
  void targetsOfOneImageFromSeveralPollsAndPublishesRunAsOneBatch() throws Exception {
    TopicNames t = kafka.newTopics(1);
    TinyProcessor processor = new TinyProcessor(20, "w");
    workers.add(new Worker(config(t, Duration.ofSeconds(5)), processor, "cpu").start());
    List<AttackJob> first = image("b1", "m1", 5, NINE);
    List<AttackJob> second = image("b1", "m1", 15, NINE);
    publish(kafka, t.jobs(), first.subList(0, 3));
    Thread.sleep(700); // the worker polls the first three alone
    publish(kafka, t.jobs(), first.subList(3, 9));
    publish(kafka, t.jobs(), second);

    List<ConsumerRecord<String, byte[]>> out =
        kafka.read(t.results(), WAIT, l -> dedup(results(l)).size() >= 18);
    Map<String, JobResult> byId = dedup(results(out));
    assertEquals(18, byId.size());
    assertEquals(2, processor.batches.size(), "one batch per image: " + sizes(processor.batches));
    for (List<AttackJob> batch : processor.batches) {
      assertEquals(new TreeSet<>(NINE), new TreeSet<>(batch.stream().map(AttackJob::target).toList()));
    }
    // one started record per batch, naming its jobs, on the results' partition before them
    List<JobsStarted> starts = started(out);
    assertEquals(2, starts.size());
    Map<String, Long> resultOffset = new HashMap<>();
    long startedOffset = -1;
    for (ConsumerRecord<String, byte[]> r : out) {
      if (TestJobs.isStarted(r)) {
        JobsStarted s = TestJobs.started(List.of(r)).get(0);
        if (s.imageIndex() == 5) {
          startedOffset = r.offset();
          assertEquals(Set.copyOf(first.stream().map(AttackJob::jobId).toList()), Set.copyOf(s.jobIds()));
          assertEquals("w", s.workerId());
        }
      } else {
        resultOffset.put(TestJobs.results(List.of(r)).get(0).jobId(), r.offset());
      }
    }
    long started = startedOffset;
    first.forEach(j -> assertTrue(resultOffset.get(j.jobId()) > started, "started before " + j.jobId()));
  }

  @Test
  void anImageWhoseOtherTargetsNeverComeStartsAfterTheBatchWait() throws Exception {
    TopicNames t = kafka.newTopics(1);
    TinyProcessor processor = new TinyProcessor(10, "w");
    workers.add(new Worker(config(t, Duration.ofMillis(1500)), processor, "cpu").start());
    List<AttackJob> partial = image("b2", "m1", 5, NINE).subList(0, 3); // six targets went elsewhere
    long t0 = System.nanoTime();
    publish(kafka, t.jobs(), partial);
    Map<String, JobResult> byId = dedup(results(kafka.read(t.results(), WAIT, l -> dedup(results(l)).size() >= 3)));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(3, byId.size());
    assertEquals(1, processor.batches.size(), () -> "batches " + sizes(processor.batches));
    assertTrue(seconds >= 1.5, "waited for the rest: " + seconds + " s");
    await(WAIT, () -> workers.get(0).metrics().inFlight() == 0, () -> "idle");
  }

  private static List<Integer> sizes(List<List<AttackJob>> batches) {
    return batches.stream().map(List::size).toList();
  }
}

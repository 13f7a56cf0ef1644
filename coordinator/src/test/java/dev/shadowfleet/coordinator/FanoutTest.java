package dev.shadowfleet.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobPlacement;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.coordinator.sweep.FanoutRelay;
import dev.shadowfleet.coordinator.sweep.SweepSpec;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Submit → every job on the real broker, once per cursor step, even when the relay dies mid-way. */
@QuarkusTest
@WithTestResource(RealServices.class)
class FanoutTest {
  @Inject FanoutRelay relay;
  @Inject AgroalDataSource db;

  @AfterEach
  void restartRelay() {
    relay.crashAfterPages(-1);
    relay.start();
  }

  /**
   * The relay places jobs itself (JobPlacement): all targets of an image on one partition, that partition
   * the one computed independently from the image's and model's ordinals (after the sweep's rotation), and each model's 10 images over
   * the 4 test partitions as 3, 3, 2, 2 (the key hash puts them where it happens to).
   */
  @Test
  void jobsArePlacedImageByImageEvenlyOverThePartitions() {
    String rs = Api.model(false);
    String ibp = Api.model(true);
    Map<String, Object> body = Api.sweep(10, rs, ibp);
    body.put("images", Map.of("from", 30, "to", 40));
    body.put("targets", List.of(1, 3, 8));
    String sweep = Api.submit(body);
    List<String> models = List.of(rs, ibp);

    List<ConsumerRecord<byte[], byte[]>> records =
        FakeWorker.read(Topics.JOBS, r -> key(r).startsWith(sweep + "/"), 60, Duration.ofSeconds(60));
    assertEquals(60, records.size());
    Map<String, Set<Integer>> partitionsOfImage = new HashMap<>();
    int[][] imagesPerPartition = new int[2][4];
    for (ConsumerRecord<byte[], byte[]> r : records) {
      AttackJob job = MessageCodec.decodeJob(r.value());
      int model = models.indexOf(job.modelId());
      long ordinal = job.imageIndex() - 30 + JobPlacement.rotation(sweep, 4);
      assertEquals(JobPlacement.partitionOf(ordinal, model, 2, 4), r.partition(), job.jobId());
      partitionsOfImage.computeIfAbsent(key(r), k -> new HashSet<>()).add(r.partition());
      if (job.target() == 1) { // one per image
        imagesPerPartition[model][r.partition()]++;
      }
    }
    partitionsOfImage.forEach((k, ps) -> assertEquals(1, ps.size(), "one partition for " + k + ": " + ps));
    for (int m = 0; m < 2; m++) {
      int[] counts = imagesPerPartition[m].clone();
      java.util.Arrays.sort(counts);
      assertEquals("[2, 2, 3, 3]", java.util.Arrays.toString(counts), "model " + m + "'s images per partition");
    }
  }

  @Test
  void everyJobReachesKafkaWithItsKeyAndDeterministicId() {
    String rs = Api.model(false);
    String ibp = Api.model(true);
    Map<String, Object> body = Api.sweep(3, rs, ibp);
    body.put("targets", List.of(5, 2));
    String sweep = Api.submit(body);

    List<ConsumerRecord<byte[], byte[]>> records =
        FakeWorker.read(Topics.JOBS, r -> key(r).startsWith(sweep + "/"), 12, Duration.ofSeconds(60));
    assertEquals(12, records.size());
    Set<String> expected = new TreeSet<>();
    for (int image = 0; image < 3; image++) {
      for (String model : List.of(rs, ibp)) {
        for (int target : List.of(2, 5)) {
          expected.add(AttackJob.idOf(sweep, model, image, target));
        }
      }
    }
    Set<String> seen = new TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      AttackJob job = MessageCodec.decodeJob(r.value());
      seen.add(job.jobId());
      assertEquals(Topics.key(sweep, job.modelId(), job.imageIndex()), key(r));
      assertEquals(AttackJob.idOf(sweep, job.modelId(), job.imageIndex(), job.target()), job.jobId());
      assertEquals(List.of(2, 5), job.imageTargets());
      assertEquals(Api.SHA, job.modelSha256());
      assertEquals("quick", job.preset());
      assertEquals("fashion-mnist:test", job.datasetUri());
      assertEquals(SweepSpec.jobSeed(7, job.jobId()), job.seed());
      if (job.modelId().equals(rs)) {
        assertNotNull(job.smoothing());
        assertNull(job.ibp());
      } else {
        assertNull(job.smoothing());
        assertNotNull(job.ibp());
      }
    }
    assertEquals(expected, seen);
    assertEquals(expected, new TreeSet<>(Api.rows(db, "SELECT id FROM jobs WHERE sweep_id = '" + sweep + "'")
        .stream().map(row -> (String) row.get("id")).toList()));
    await().atMost(Duration.ofSeconds(30)).until(() -> published(sweep) == 12);
  }

  @Test
  void aRelayCrashAfterTheAckBeforeTheCursorLosesNothingAndResultsCountOnce() {
    String rs = Api.model(false);
    relay.crashAfterPages(1); // page 1 moves the cursor; page 2 is acknowledged, then the relay dies
    String sweep = Api.submit(Api.sweep(30, rs)); // 30 images × 10 targets = 300 jobs = 3 pages of 100
    await().atMost(Duration.ofSeconds(60)).until(() -> !relay.isAlive());
    assertEquals(100, published(sweep));

    relay.start(); // the coordinator comes back
    await().atMost(Duration.ofSeconds(60)).until(() -> published(sweep) == 300);
    List<AttackJob> messages = FakeWorker.jobsOf(sweep, 400);
    assertEquals(400, messages.size(), "page 2 is published twice, everything else once");
    Map<String, Long> perJob = messages.stream().collect(Collectors.groupingBy(AttackJob::jobId, Collectors.counting()));
    assertEquals(300, perJob.size());
    Set<String> twice = new HashSet<>();
    perJob.forEach((id, n) -> {
      if (n == 2) {
        twice.add(id);
      }
    });
    Set<String> page2 = new HashSet<>(Api.rows(db, "SELECT id FROM jobs WHERE sweep_id = '" + sweep + "' AND seq BETWEEN 100 AND 199")
        .stream().map(r -> (String) r.get("id")).toList());
    assertEquals(page2, twice);

    // The fake worker runs every message it receives, duplicates included (same seed, same result).
    try (FakeWorker worker = new FakeWorker()) {
      for (AttackJob job : messages) {
        worker.publish(Results.random(job, new Random(job.seed()), false));
      }
      worker.flush();
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> finished(sweep) == 300);
    assertEquals(300, Api.count(db, "SELECT count(*) FROM job_results WHERE sweep_id = '" + sweep + "'"));
    assertEquals(0, Api.count(db, "SELECT count(*) FROM jobs WHERE sweep_id = '" + sweep + "' AND state = 'QUEUED'"));
    await().atMost(Duration.ofSeconds(10)).until(
        () -> Api.count(db, "SELECT count(*) FROM sweeps WHERE id = '" + sweep + "' AND state = 'COMPLETED'") == 1);
  }

  private long published(String sweep) {
    return Api.count(db, "SELECT published_jobs FROM sweeps WHERE id = '" + sweep + "'");
  }

  private long finished(String sweep) {
    return Api.count(db, "SELECT done + skipped + failed + cancelled FROM sweep_progress WHERE sweep_id = '" + sweep + "'");
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  static Map<String, Object> copy(Map<String, Object> m) {
    return new HashMap<>(m);
  }
}

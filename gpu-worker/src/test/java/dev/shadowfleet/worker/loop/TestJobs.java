package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobsStarted;
import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.config.SmoothingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Job factories, the coordinator-style dedup of results, and a small await. */
final class TestJobs {
  private TestJobs() {}

  /** All targets of one image, as the coordinator fans them out. */
  static List<AttackJob> image(String sweep, String model, int imageIndex, List<Integer> targets,
      Map<String, Object> overrides) {
    List<AttackJob> jobs = new ArrayList<>();
    for (int t : targets) {
      jobs.add(new AttackJob(MessageCodec.SCHEMA_VERSION, AttackJob.idOf(sweep, model, imageIndex, t),
          sweep, model, "00".repeat(32), "fashion-mnist:test", imageIndex, t, targets, "quick", overrides,
          SmoothingParams.PAPER, null, 1000L * imageIndex + t, 1, 0));
    }
    return jobs;
  }

  static List<AttackJob> image(String sweep, String model, int imageIndex, List<Integer> targets) {
    return image(sweep, model, imageIndex, targets, Map.of());
  }

  static void publish(KafkaTestCluster kafka, String topic, List<AttackJob> jobs) throws Exception {
    for (AttackJob j : jobs) {
      kafka.send(topic, j.key(), MessageCodec.encode(j));
    }
  }

  /** The results among the records of a results topic (started records left out). */
  static List<JobResult> results(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().filter(r -> !isStarted(r)).map(r -> MessageCodec.decodeResult(r.value())).toList();
  }

  /** The started records among the records of a results topic. */
  static List<JobsStarted> started(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().filter(TestJobs::isStarted).map(r -> MessageCodec.decodeStarted(r.value())).toList();
  }

  static boolean isStarted(ConsumerRecord<String, byte[]> r) {
    var h = r.headers().lastHeader(Topics.TYPE_HEADER);
    return h != null && JobsStarted.TYPE.equals(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
  }

  /** What the coordinator keeps: one result per job id (the first one ingested). */
  static Map<String, JobResult> dedup(List<JobResult> results) {
    return results.stream().collect(Collectors.toMap(JobResult::jobId, r -> r, (a, b) -> a));
  }

  static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what.get());
      }
      Thread.sleep(50);
    }
  }
}

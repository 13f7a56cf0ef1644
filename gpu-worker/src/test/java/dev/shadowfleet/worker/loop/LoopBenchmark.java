package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the loop costs per job on top of the compute: one worker on an in-JVM broker, jobs published
 * while it runs, a processor that takes a fixed time per image batch. Prints, per setting, the wall time
 * beyond the compute per job and the publish + ack + commit time per job. Run by
 * {@code tools/bench/bench_loop.sh}; not a test.
 */
public final class LoopBenchmark {
  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    KafkaTestCluster kafka = KafkaTestCluster.shared();
    System.out.println("| targets/image | compute/batch ms | jobs | wall s | compute s | loop overhead ms/job"
        + " | publish+ack+commit ms/job | overhead / compute |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int targets : new int[] {1, 9}) {
      for (long computeMs : new long[] {0, 100}) {
        run(kafka, images, targets, computeMs);
      }
    }
    System.exit(0);
  }

  private static void run(KafkaTestCluster kafka, int images, int targets, long computeMs) throws Exception {
    TopicNames t = kafka.newTopics(4);
    WorkerConfig config = new WorkerConfig(kafka.bootstrapServers(), KafkaTestCluster.newGroup(), "bench",
        Path.of("models"), targets, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(500), 3,
        Duration.ofSeconds(10), -1, "cpu", t);
    Worker worker = new Worker(config, new TinyProcessor(computeMs, "bench"), "cpu").start();
    List<Integer> all = IntStream.range(0, targets).map(i -> i + 1).boxed().toList();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(KafkaTestCluster.producerProperties(kafka.bootstrapServers()))) {
      // warm-up: join the group and run one batch
      send(producer, t, TestJobs.image("warm", "m", 10, List.of(1)));
      TestJobs.await(Duration.ofSeconds(60), () -> worker.metrics().jobs(JobStatus.DONE) == 1, () -> "warm-up");
      double computeBefore = batchSeconds(worker);
      long t0 = System.nanoTime();
      for (int img = 0; img < images; img++) {
        send(producer, t, TestJobs.image("bench", "m", img * 10, all)); // label 0 never a target
      }
      long jobs = (long) images * targets;
      TestJobs.await(Duration.ofMinutes(5), () -> worker.metrics().jobs(JobStatus.DONE) == jobs + 1, () -> "all jobs");
      double wall = (System.nanoTime() - t0) / 1e9;
      double compute = batchSeconds(worker) - computeBefore;
      double overheadMs = (wall - compute) * 1000 / jobs;
      System.out.printf("| %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %s |%n", targets, computeMs, jobs, wall,
          compute, overheadMs, worker.metrics().kafkaMillisPerJob(),
          compute > 0 ? String.format("%.1f%%", 100 * (wall - compute) / compute) : "–");
    } finally {
      worker.close();
    }
  }

  private static void send(KafkaProducer<String, byte[]> producer, TopicNames t, List<AttackJob> jobs) {
    for (AttackJob j : jobs) {
      producer.send(new ProducerRecord<>(t.jobs(), j.key(), MessageCodec.encode(j)));
    }
    producer.flush();
  }

  /** Sum of batch compute seconds so far, read from the metrics text. */
  private static double batchSeconds(Worker worker) {
    for (String line : worker.metrics().prometheus("bench", "cpu").split("\n")) {
      if (line.startsWith("shadowfleet_worker_batch_seconds_sum")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new IllegalStateException("no batch_seconds_sum");
  }

  private LoopBenchmark() {}
}

package dev.shadowfleet.worker.loop;

import static dev.shadowfleet.worker.loop.TestJobs.await;
import static dev.shadowfleet.worker.loop.TestJobs.dedup;
import static dev.shadowfleet.worker.loop.TestJobs.image;
import static dev.shadowfleet.worker.loop.TestJobs.results;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker process SIGKILLed in the middle of a batch: another worker redoes it, counted once. */
class WorkerKillTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aWorkerKilledMidBatchIsReplacedAndEveryJobCountsOnce(@TempDir Path dir) throws Exception {
    KafkaTestCluster kafka = KafkaTestCluster.shared();
    TopicNames t = kafka.newTopics(2);
    String group = KafkaTestCluster.newGroup();
    List<AttackJob> jobs = new ArrayList<>();
    Map<String, TopicPartition> partitionOf = new HashMap<>();
    Map<String, Long> offsetOf = new HashMap<>();
    for (int img = 0; img < 8; img++) {
      for (AttackJob j : image("kill", "m1", img, List.of((img + 1) % 10, (img + 2) % 10))) {
        RecordMetadata m = kafka.send(t.jobs(), j.key(), MessageCodec.encode(j));
        jobs.add(j);
        partitionOf.put(j.jobId(), new TopicPartition(m.topic(), m.partition()));
        offsetOf.put(j.jobId(), m.offset());
      }
    }

    Path journal = dir.resolve("victim.journal");
    Path log = dir.resolve("victim.log");
    Process victim = ChildWorker.start(kafka.bootstrapServers(), group, t, "victim", 1_200,
        Duration.ofSeconds(2), journal, log);
    Worker survivor = null;
    try {
      // kill it once it has finished two batches and is computing a third
      await(WAIT, () -> ends(journal) >= 2 && startedNotEnded(journal).size() > 0,
          () -> "the victim mid-batch; its log:\n" + read(log));
      victim.destroyForcibly().waitFor();
      Set<String> killedMidBatch = startedNotEnded(journal);
      assertFalse(killedMidBatch.isEmpty());
      Map<TopicPartition, Long> committedByVictim = kafka.committed(group, t.jobs());

      TinyProcessor processor = new TinyProcessor(10, "survivor");
      survivor = new Worker(AttackJobConsumerTest.configFor(kafka, t, group, "survivor"), processor, "cpu").start();
      List<JobResult> all = results(kafka.read(t.results(), WAIT,
          l -> dedup(results(l)).size() >= jobs.size()));

      Map<String, JobResult> counted = dedup(all);
      assertEquals(jobs.size(), counted.size(), "every job counted once");
      for (AttackJob j : jobs) {
        JobResult r = counted.get(j.jobId());
        assertEquals(TinyProcessor.expected(j, r.workerId(), r.wallMillis()), r, j.jobId());
      }
      for (String id : killedMidBatch) {
        assertTrue(processor.runs.containsKey(id), id + " was computing when the victim died: redone");
        assertEquals("survivor", counted.get(id).workerId());
      }
      // nothing the victim had committed is redone
      for (AttackJob j : jobs) {
        Long position = committedByVictim.get(partitionOf.get(j.jobId()));
        if (position != null && offsetOf.get(j.jobId()) < position) {
          assertFalse(processor.runs.containsKey(j.jobId()), j.jobId() + " was committed, yet redone");
        }
      }
      assertTrue(committedByVictim.values().stream().mapToLong(Long::longValue).sum() >= 2,
          "the victim committed its finished batches: " + committedByVictim);
      System.out.printf("kill test: %d results for %d jobs (%d redone after the kill)%n", all.size(),
          jobs.size(), processor.runs.size());
    } finally {
      victim.destroyForcibly();
      if (survivor != null) {
        survivor.close();
      }
    }
  }

  @Test
  void sigtermLetsTheBatchFinishThenLeavesTheGroup(@TempDir Path dir) throws Exception {
    KafkaTestCluster kafka = KafkaTestCluster.shared();
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    List<AttackJob> jobs = image("term", "m1", 1, List.of(2, 3));
    TestJobs.publish(kafka, t.jobs(), jobs);
    Path journal = dir.resolve("term.journal");
    Path log = dir.resolve("term.log");
    Process worker = ChildWorker.start(kafka.bootstrapServers(), group, t, "terminated", 2_000,
        Duration.ofSeconds(6), journal, log);
    try {
      await(WAIT, () -> startedNotEnded(journal).size() == 2, () -> "the batch computing; log:\n" + read(log));
      worker.destroy(); // SIGTERM: the shutdown hook stops the worker gracefully (deadline 10 s)
      assertTrue(worker.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "exited; log:\n" + read(log));
      assertTrue(startedNotEnded(journal).isEmpty(), "the batch finished");
      Map<String, JobResult> byId = dedup(results(kafka.readToEnd(t.results())));
      jobs.forEach(j -> assertEquals("terminated", byId.get(j.jobId()).workerId()));
      assertEquals(Map.of(new TopicPartition(t.jobs(), 0), 2L), kafka.committed(group, t.jobs()),
          "committed before leaving");
      assertTrue(read(log).contains("leaving the group"), read(log));
    } finally {
      worker.destroyForcibly();
    }
  }

  private static List<String> lines(Path journal) {
    try {
      return Files.exists(journal) ? Files.readAllLines(journal) : List.of();
    } catch (Exception e) {
      return List.of();
    }
  }

  private static long ends(Path journal) {
    return lines(journal).stream().filter(l -> l.startsWith("end ")).count();
  }

  private static Set<String> startedNotEnded(Path journal) {
    Set<String> open = new HashSet<>();
    for (String line : lines(journal)) {
      List<String> ids = Arrays.asList(line.substring(line.indexOf(' ') + 1).split(" "));
      if (line.startsWith("start ")) {
        open.addAll(ids);
      } else {
        ids.forEach(open::remove);
      }
    }
    return open;
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (Exception e) {
      return e.toString();
    }
  }
}

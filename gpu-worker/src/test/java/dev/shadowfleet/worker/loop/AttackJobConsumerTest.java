package dev.shadowfleet.worker.loop;

import static dev.shadowfleet.worker.loop.TestJobs.await;
import static dev.shadowfleet.worker.loop.TestJobs.dedup;
import static dev.shadowfleet.worker.loop.TestJobs.image;
import static dev.shadowfleet.worker.loop.TestJobs.publish;
import static dev.shadowfleet.worker.loop.TestJobs.results;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobFailure;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.SweepControl;
import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The loop against a real KRaft broker in this JVM; processors are tiny real fixtures. */
class AttackJobConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(45);
  private static KafkaTestCluster kafka;
  private final List<Worker> workers = new ArrayList<>();

  @BeforeAll
  static void broker() throws Exception {
    kafka = KafkaTestCluster.shared();
  }

  @AfterEach
  void stopWorkers() {
    workers.forEach(Worker::close);
  }

  /** Test defaults: 4 records a poll, 10 s poll interval, 6 s session, 100 ms polls, 3 attempts. */
  static WorkerConfig config(TopicNames topics, String group, String workerId) {
    return configFor(kafka, topics, group, workerId);
  }

  static WorkerConfig configFor(KafkaTestCluster kafka, TopicNames topics, String group, String workerId) {
    return new WorkerConfig(kafka.bootstrapServers(), group, workerId, Path.of("models"), 4,
        Duration.ofSeconds(10), Duration.ofSeconds(6), Duration.ofMillis(100), 3, Duration.ofSeconds(10),
        0, "cpu", topics);
  }

  private Worker start(WorkerConfig config, JobProcessor processor) throws Exception {
    Worker w = new Worker(config, processor, "cpu").start();
    workers.add(w);
    return w;
  }

  private List<JobResult> awaitResults(TopicNames t, int distinctJobs) {
    return results(kafka.read(t.results(), WAIT, l -> dedup(results(l)).size() >= distinctJobs));
  }

  @Test
  void everyJobIsPublishedAndItsOffsetCommittedOnlyAfterItsResult() throws Exception {
    TopicNames t = kafka.newTopics(3);
    String group = KafkaTestCluster.newGroup();
    List<AttackJob> jobs = new ArrayList<>();
    Map<TopicPartition, Map<Long, String>> jobAt = new ConcurrentHashMap<>();
    for (int img = 0; img < 12; img++) {
      int i = img; // four targets, none equal to the label i mod 10
      jobs.addAll(image("s1", "m1", i, List.of(1, 2, 3, 4).stream().map(x -> (i + x) % 10).toList()));
    }
    // the "committed only after" probe: whenever the group's committed position passes a job's
    // offset, that job's result must already be on the results topic
    AtomicBoolean probing = new AtomicBoolean(true);
    List<String> violations = new ArrayList<>();
    AtomicInteger probes = new AtomicInteger();
    Thread probe = new Thread(() -> {
      while (probing.get()) {
        try {
          Map<TopicPartition, Long> committed = kafka.committed(group, t.jobs());
          Set<String> published = new HashSet<>(dedup(results(kafka.readToEnd(t.results()))).keySet());
          committed.forEach((tp, position) -> jobAt.getOrDefault(tp, Map.of()).forEach((offset, id) -> {
            if (offset < position && !published.contains(id)) {
              violations.add(id + " committed at " + tp + "@" + position + " before its result");
            }
          }));
          probes.incrementAndGet();
        } catch (Exception e) {
          violations.add("probe failed: " + e);
        }
      }
    });
    probe.start();

    TinyProcessor processor = new TinyProcessor(30, "w1");
    Worker worker = start(config(t, group, "w1"), processor);
    for (AttackJob j : jobs) {
      RecordMetadata m = kafka.send(t.jobs(), j.key(), MessageCodec.encode(j));
      jobAt.computeIfAbsent(new TopicPartition(m.topic(), m.partition()), k -> new ConcurrentHashMap<>())
          .put(m.offset(), j.jobId());
    }
    List<JobResult> results = awaitResults(t, jobs.size());
    await(WAIT, () -> committedEverything(group, t), () -> "all offsets committed");
    probing.set(false);
    probe.join();

    assertEquals(List.of(), violations);
    assertTrue(probes.get() >= 3, "the probe ran " + probes.get() + " times");
    assertEquals(jobs.size(), results.size(), "no job redone in a clean run");
    Map<String, JobResult> byId = dedup(results);
    for (AttackJob j : jobs) {
      JobResult r = byId.get(j.jobId());
      JobResult expected = TinyProcessor.expected(j, "w1", r.wallMillis());
      assertEquals(expected, r, j.jobId());
      assertEquals(1, processor.runs.get(j.jobId()).get());
    }
    for (List<AttackJob> batch : processor.batches) {
      assertEquals(1, batch.stream().map(AttackJob::key).distinct().count(), "one image per batch");
    }
    assertTrue(processor.batches.stream().anyMatch(b -> b.size() > 1), "targets of an image batched");

    // health and metrics
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://localhost:" + worker.httpPort();
    assertEquals(200, get(http, base + "/health/live").statusCode());
    assertEquals(200, get(http, base + "/health/ready").statusCode());
    String metrics = get(http, base + "/metrics").body();
    assertTrue(metrics.contains("shadowfleet_worker_jobs_total{worker=\"w1\",status=\"done\"} " + jobs.size()),
        metrics);
    assertTrue(metrics.contains("shadowfleet_worker_in_flight_jobs{worker=\"w1\"} 0"), metrics);
    assertTrue(metrics.contains("# TYPE shadowfleet_worker_batch_seconds summary"), metrics);
    System.out.printf("kafka publish+ack+commit per job: %.2f ms over %d jobs%n",
        worker.metrics().kafkaMillisPerJob(), jobs.size());
  }

  @Test
  void aBatchLongerThanMaxPollIntervalNeitherEvictsTheWorkerNorIsRedone() throws Exception {
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    WorkerConfig base = config(t, group, "slow");
    // max.poll.interval.ms = 2 s; the batch takes 6 s
    WorkerConfig slowConfig = new WorkerConfig(base.bootstrapServers(), group, "slow", base.modelsDir(), 4,
        Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofMillis(100), 3, Duration.ofSeconds(10), -1,
        "cpu", t);
    TinyProcessor slow = new TinyProcessor(6_000, "slow");
    TinyProcessor standby = new TinyProcessor(0, "standby");
    List<AttackJob> jobs = image("s2", "m1", 3, List.of(0, 1, 2));
    publish(kafka, t.jobs(), jobs); // before the worker starts, so one poll takes the whole image
    Worker first = start(slowConfig, slow);
    await(WAIT, () -> first.metrics().inFlight() == 3, () -> "the batch computing");
    // a second member waits in the group: if the first were evicted it would take the job over
    start(config(t, group, "standby"), standby);

    List<JobResult> results = awaitResults(t, 3);
    Thread.sleep(1_000); // room for a redo to show up
    results = results(kafka.readToEnd(t.results()));
    assertEquals(3, results.size(), "each job's result once");
    results.forEach(r -> assertEquals("slow", r.workerId()));
    assertTrue(standby.runs.isEmpty(), "nothing redone on the standby worker");
    jobs.forEach(j -> assertEquals(1, slow.runs.get(j.jobId()).get()));
    assertEquals(0, first.metrics().handedBack());
    await(WAIT, () -> committedEverything(group, t), () -> "the batch committed");
  }

  /**
   * A worker joining a group whose only member is computing, with the default 45 s session: it must be
   * given partitions within seconds. The cooperative protocol needs two rebalance rounds, and a member
   * learns of each from a heartbeat's answer; with heartbeats at session/3 (15 s) the newcomer sat up to
   * 30 s with nothing while the busy worker held every partition.
   */
  @Test
  void aWorkerJoiningABusyGroupGetsPartitionsWithinSeconds() throws Exception {
    TopicNames t = kafka.newTopics(4);
    String group = KafkaTestCluster.newGroup();
    List<AttackJob> jobs = new ArrayList<>();
    for (int img = 0; img < 16; img++) {
      jobs.addAll(image("s10", "m1", img, List.of((img + 1) % 10)));
    }
    publish(kafka, t.jobs(), jobs);
    WorkerConfig base = config(t, group, "x");
    java.util.function.Function<String, WorkerConfig> defaultSession = id -> new WorkerConfig(
        base.bootstrapServers(), group, id, base.modelsDir(), 1, Duration.ofSeconds(60), Duration.ofSeconds(45),
        Duration.ofMillis(100), 3, Duration.ofSeconds(10), -1, "cpu", t);
    TinyProcessor busy = new TinyProcessor(2_000, "busy");
    Worker first = start(defaultSession.apply("busy"), busy);
    await(WAIT, () -> first.metrics().inFlight() == 1, () -> "the first worker computing");
    TinyProcessor late = new TinyProcessor(2_000, "late");
    long joined = System.nanoTime();
    start(defaultSession.apply("late"), late);
    await(WAIT, () -> !late.runs.isEmpty(), () -> "the second worker computing");
    double seconds = (System.nanoTime() - joined) / 1e9;
    // two rounds at ≤ 3 s each, then one fetch; at 15 s per heartbeat it took 15–30 s
    assertTrue(seconds < 10, "the second worker started its first batch after " + seconds + " s");
  }

  /**
   * A batch computing for 2.5 s with a 400 ms refresh: its started record is repeated (so the coordinator
   * never takes it for abandoned), each naming the whole batch, all before its results, and none after.
   */
  @Test
  void aComputingBatchRepeatsItsStartedRecordUntilItsResults() throws Exception {
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    WorkerConfig refreshing = config(t, group, "long").withStartedRefresh(Duration.ofMillis(400));
    List<AttackJob> jobs = image("s9", "m1", 3, List.of(0, 1, 2));
    publish(kafka, t.jobs(), jobs);
    start(refreshing, new TinyProcessor(2_500, "long"));

    List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> out =
        kafka.read(t.results(), WAIT, l -> dedup(results(l)).size() >= 3);
    Thread.sleep(1_200); // three more refresh periods: nothing may follow the results
    out = kafka.readToEnd(t.results());
    List<dev.shadowfleet.common.message.JobsStarted> starts = TestJobs.started(out);
    // 2.5 s / 400 ms: the first record and about six repeats; at least four, allowing for a slow machine
    assertTrue(starts.size() >= 4 && starts.size() <= 8, "started records: " + starts.size());
    Set<String> ids = new HashSet<>(jobs.stream().map(AttackJob::jobId).toList());
    starts.forEach(s -> assertEquals(ids, new HashSet<>(s.jobIds())));
    long lastStarted = out.stream().filter(TestJobs::isStarted).mapToLong(r -> r.offset()).max().orElseThrow();
    long firstResult = out.stream().filter(r -> !TestJobs.isStarted(r)).mapToLong(r -> r.offset()).min().orElseThrow();
    assertTrue(lastStarted < firstResult, "every started record before the results");
  }

  @Test
  void poisonJobsGoToTheDlqWithTheirReasonAndDoNotBlockThePartition() throws Exception {
    TopicNames t = kafka.newTopics(1);
    TinyProcessor processor = new TinyProcessor(10, "w");
    start(config(t, KafkaTestCluster.newGroup(), "w"), processor);
    List<AttackJob> corrupt = image("s3", "corrupt-model", 0, List.of(1, 2));
    List<AttackJob> mixed = image("s3", "m1", 4, List.of(3, 4, 5)); // label of image 4 is 4
    List<AttackJob> good = image("s3", "m1", 5, List.of(1, 2));
    publish(kafka, t.jobs(), corrupt);
    publish(kafka, t.jobs(), mixed);
    publish(kafka, t.jobs(), good);

    Map<String, JobResult> byId = dedup(awaitResults(t, 7));
    for (AttackJob j : corrupt) {
      assertEquals(JobStatus.FAILED, byId.get(j.jobId()).status());
      assertTrue(byId.get(j.jobId()).failureReason().startsWith("modelSha256: model file checksum"),
          byId.get(j.jobId()).failureReason());
      assertEquals(1, processor.runs.get(j.jobId()).get(), "a permanent error is not retried");
    }
    JobResult targetIsLabel = byId.get(mixed.get(1).jobId());
    assertEquals(JobStatus.SKIPPED_LABEL, targetIsLabel.status(), "the label target is skipped, not failed");
    assertEquals(4, targetIsLabel.label());
    assertEquals(JobStatus.DONE, byId.get(mixed.get(0).jobId()).status());
    assertEquals(JobStatus.DONE, byId.get(mixed.get(2).jobId()).status());
    good.forEach(j -> assertEquals(JobStatus.DONE, byId.get(j.jobId()).status(), "partition moved on"));

    List<JobFailure> dlq = kafka.read(t.dlq(), WAIT, l -> l.size() >= 2).stream()
        .map(r -> MessageCodec.decodeFailure(r.value())).toList();
    Thread.sleep(500); // room for a wrong third entry to show up
    dlq = kafka.readToEnd(t.dlq()).stream().map(r -> MessageCodec.decodeFailure(r.value())).toList();
    assertEquals(2, dlq.size(), "the corrupt model's jobs only: a label target is no failure");
    Map<String, JobFailure> failures = new HashMap<>();
    dlq.forEach(f -> failures.put(f.jobId(), f));
    assertEquals("modelSha256", failures.get(corrupt.get(0).jobId()).field());
    assertEquals(corrupt.get(0), MessageCodec.decodeJob(
        failures.get(corrupt.get(0).jobId()).payload().getBytes(StandardCharsets.UTF_8)), "payload kept for replay");
  }

  @Test
  void transientFailuresAreRetriedWithTheAttemptCounterThenGoToTheDlq() throws Exception {
    TopicNames t = kafka.newTopics(1);
    TinyProcessor processor = new TinyProcessor(5, "w");
    start(config(t, KafkaTestCluster.newGroup(), "w"), processor);
    AttackJob flaky = image("s4", "m1", 1, List.of(2), Map.of("failAttempts", 1)).get(0);
    AttackJob broken = image("s4", "m1", 2, List.of(3), Map.of("failAttempts", 99)).get(0);
    publish(kafka, t.jobs(), List.of(flaky, broken));

    Map<String, JobResult> byId = dedup(awaitResults(t, 2));
    assertEquals(JobStatus.DONE, byId.get(flaky.jobId()).status());
    assertEquals(2, byId.get(flaky.jobId()).attempt());
    assertEquals(2, processor.runs.get(flaky.jobId()).get());
    JobResult failed = byId.get(broken.jobId());
    assertEquals(JobStatus.FAILED, failed.status());
    assertEquals(3, failed.attempt());
    assertTrue(failed.failureReason().startsWith("failed 3 attempt(s); last: CUDA out of memory"),
        failed.failureReason());
    assertEquals(3, processor.runs.get(broken.jobId()).get(), "maxAttempts = 3");
    JobFailure dlq = MessageCodec.decodeFailure(kafka.read(t.dlq(), WAIT, l -> !l.isEmpty()).get(0).value());
    assertEquals(broken.jobId(), dlq.jobId());
    assertEquals(3, dlq.attempt());
    // the jobs topic holds the republished attempts: 2 originals + 1 retry of flaky + 2 of broken
    List<AttackJob> onTopic = kafka.readToEnd(t.jobs()).stream()
        .map(r -> MessageCodec.decodeJob(r.value())).toList();
    assertEquals(List.of(1, 1, 2, 2, 3), onTopic.stream().map(AttackJob::attempt).sorted().toList());
  }

  @Test
  void aFailedPublishCommitsNothingAndTheBatchIsRedoneUntilItGoesThrough() throws Exception {
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    kafka.setTopicConfig(t.results(), "max.message.bytes", "64"); // every result is refused
    List<AttackJob> jobs = image("s9", "m1", 1, List.of(2, 3));
    publish(kafka, t.jobs(), jobs);
    TinyProcessor processor = new TinyProcessor(5, "w");
    start(config(t, group, "w"), processor);
    await(WAIT, () -> processor.runs.get(jobs.get(0).jobId()) != null
        && processor.runs.get(jobs.get(0).jobId()).get() >= 2, () -> "the batch redone");
    assertTrue(kafka.committed(group, t.jobs()).values().stream().allMatch(o -> o == 0L),
        "nothing committed while the results cannot be published: " + kafka.committed(group, t.jobs()));
    kafka.setTopicConfig(t.results(), "max.message.bytes", "1048576");
    Map<String, JobResult> byId = dedup(awaitResults(t, 2));
    jobs.forEach(j -> assertEquals(JobStatus.DONE, byId.get(j.jobId()).status()));
    await(WAIT, () -> committedEverything(group, t), () -> "committed once published");
  }

  @Test
  void malformedMessagesGoToTheDlqAndTheConsumerGoesOn() throws Exception {
    TopicNames t = kafka.newTopics(1);
    start(config(t, KafkaTestCluster.newGroup(), "w"), new TinyProcessor(5, "w"));
    AttackJob good = image("s5", "m1", 1, List.of(2)).get(0);
    String goodJson = MessageCodec.encodeToString(good);
    kafka.send(t.jobs(), "k", "not json at all".getBytes(StandardCharsets.UTF_8));
    kafka.send(t.jobs(), "k", goodJson.replace("\"schemaVersion\":1", "\"schemaVersion\":99")
        .getBytes(StandardCharsets.UTF_8));
    kafka.send(t.jobs(), "k", goodJson.replace("\"jobId\":", "\"jobIdentifier\":")
        .getBytes(StandardCharsets.UTF_8));
    kafka.send(t.jobs(), "k", null);
    publish(kafka, t.jobs(), List.of(good));

    assertEquals(JobStatus.DONE, dedup(awaitResults(t, 1)).get(good.jobId()).status());
    List<JobFailure> dlq = kafka.read(t.dlq(), WAIT, l -> l.size() >= 4).stream()
        .map(r -> MessageCodec.decodeFailure(r.value())).toList();
    assertEquals(List.of("$", "schemaVersion", "jobId", "$"), dlq.stream().map(JobFailure::field).toList());
    dlq.forEach(f -> assertNull(f.jobId()));
    assertEquals("not json at all", dlq.get(0).payload());
    assertTrue(dlq.get(1).reason().contains("99"), dlq.get(1).reason());
  }

  @Test
  void jobsOfACancelledSweepAreReportedCancelledWithoutCompute() throws Exception {
    TopicNames t = kafka.newTopics(2);
    kafka.send(t.sweeps(), "old", MessageCodec.encode(new SweepControl(1, "old", true)));
    TinyProcessor processor = new TinyProcessor(5, "w");
    Worker worker = start(config(t, KafkaTestCluster.newGroup(), "w"), processor);
    // cancelled before the worker started: known once it is ready
    await(WAIT, worker::isReady, () -> "worker ready");
    assertTrue(worker.sweepView().isCancelled("old"));
    // cancelled while it runs
    kafka.send(t.sweeps(), "live", MessageCodec.encode(new SweepControl(1, "live", true)));
    await(WAIT, () -> worker.sweepView().isCancelled("live"), () -> "the cancel seen");

    List<AttackJob> cancelled = new ArrayList<>(image("old", "m1", 1, List.of(2, 3)));
    cancelled.addAll(image("live", "m1", 2, List.of(3, 4)));
    List<AttackJob> running = image("other", "m1", 3, List.of(1, 2));
    publish(kafka, t.jobs(), cancelled);
    publish(kafka, t.jobs(), running);

    Map<String, JobResult> byId = dedup(awaitResults(t, 6));
    cancelled.forEach(j -> {
      assertEquals(JobStatus.CANCELLED, byId.get(j.jobId()).status());
      assertFalse(processor.runs.containsKey(j.jobId()), "no compute for " + j.jobId());
    });
    running.forEach(j -> assertEquals(JobStatus.DONE, byId.get(j.jobId()).status()));
    assertEquals(4, worker.metrics().jobs(JobStatus.CANCELLED));
  }

  @Test
  void shutdownFinishesABatchWithinTheDeadline() throws Exception {
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    TinyProcessor processor = new TinyProcessor(1_500, "w");
    List<AttackJob> jobs = image("s7", "m1", 1, List.of(2, 3));
    publish(kafka, t.jobs(), jobs);
    Worker worker = start(config(t, group, "w"), processor); // deadline 10 s
    await(WAIT, () -> worker.metrics().inFlight() == 2, () -> "the batch computing");
    worker.close();
    assertEquals(2, worker.metrics().jobs(JobStatus.DONE));
    assertEquals(2, results(kafka.readToEnd(t.results())).size());
    assertTrue(committedEverything(group, t), "committed before leaving the group");
  }

  @Test
  void shutdownPastTheDeadlineHandsTheBatchBackUncommitted() throws Exception {
    TopicNames t = kafka.newTopics(1);
    String group = KafkaTestCluster.newGroup();
    WorkerConfig base = config(t, group, "leaving");
    WorkerConfig shortDeadline = new WorkerConfig(base.bootstrapServers(), group, "leaving",
        base.modelsDir(), 4, base.maxPollInterval(), base.sessionTimeout(), base.pollTimeout(), 3,
        Duration.ofSeconds(1), -1, "cpu", t);
    TinyProcessor slow = new TinyProcessor(60_000, "leaving");
    List<AttackJob> jobs = image("s8", "m1", 1, List.of(2, 3));
    publish(kafka, t.jobs(), jobs);
    Worker leaving = start(shortDeadline, slow);
    await(WAIT, () -> leaving.metrics().inFlight() == 2, () -> "the batch computing");
    long t0 = System.nanoTime();
    leaving.close();
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 5, "close took " + seconds + " s with a 1 s deadline");
    assertEquals(2, leaving.metrics().handedBack());
    assertTrue(results(kafka.readToEnd(t.results())).isEmpty());
    assertTrue(kafka.committed(group, t.jobs()).values().stream().allMatch(o -> o == 0L),
        "nothing committed: " + kafka.committed(group, t.jobs()));

    TinyProcessor next = new TinyProcessor(5, "next");
    start(config(t, group, "next"), next);
    Map<String, JobResult> byId = dedup(awaitResults(t, 2));
    jobs.forEach(j -> assertEquals("next", byId.get(j.jobId()).workerId()));
  }

  @Test
  void theEngineRunsBehindTheLoop() throws Exception {
    TopicNames t = kafka.newTopics(1);
    Path dir = Path.of(getClass().getResource("/fixtures/models/tiny-seq.json").toURI()).getParent();
    try (var models = new dev.shadowfleet.worker.engine.model.ModelCache(2,
        new dev.shadowfleet.worker.engine.model.ModelRegistry(dir))) {
      var engine = new EngineJobProcessor(models, new dev.shadowfleet.worker.engine.data.DatasetCache(), "w", "cpu");
      start(config(t, KafkaTestCluster.newGroup(), "w"), engine);
      List<AttackJob> jobs = new ArrayList<>();
      for (int img = 0; img < 2; img++) {
        for (int target : List.of(0, 1, 2, 3)) {
          jobs.add(new AttackJob(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("e", "tiny-seq", img, target),
              "e", "tiny-seq", null, "fashion-mnist:test", img, target, List.of(0, 1, 2, 3), "paper-ibp",
              Map.of("steps", 2), null, null, 5L, 1, 0));
        }
      }
      publish(kafka, t.jobs(), jobs);
      Map<String, JobResult> byId = dedup(awaitResults(t, jobs.size()));
      for (AttackJob j : jobs) {
        JobResult r = byId.get(j.jobId());
        int label = new dev.shadowfleet.worker.engine.data.DatasetCache().get("fashion-mnist:test")
            .label(j.imageIndex());
        if (j.target() == label) {
          assertEquals(JobStatus.SKIPPED_LABEL, r.status(), r.toString());
        } else {
          assertEquals(JobStatus.DONE, r.status(), r.toString());
          assertEquals(2, r.steps());
          assertTrue(r.attack().method().startsWith("ibp"), r.attack().method());
        }
      }
    }
  }

  private static boolean committedEverything(String group, TopicNames t) {
    try {
      Map<TopicPartition, Long> ends = kafka.endOffsets(t.jobs());
      Map<TopicPartition, Long> committed = kafka.committed(group, t.jobs());
      for (var e : ends.entrySet()) {
        if (e.getValue() > 0 && !e.getValue().equals(committed.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}

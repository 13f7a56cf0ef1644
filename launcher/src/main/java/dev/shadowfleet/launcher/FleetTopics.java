package dev.shadowfleet.launcher;

import dev.shadowfleet.common.message.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics of the pipeline with their partition counts and settings, and an idempotent way to create
 * them: existing topics are kept, and grown when the plan asks for more partitions.
 */
public final class FleetTopics {
  /** Partitions of every topic other than jobs. */
  static final int RESULT_PARTITIONS = 4;

  /** How long {@link #ensure} repeats a step that failed with a retriable error. */
  static final Duration RETRY_FOR = Duration.ofSeconds(30);

  /**
   * One topic to create.
   *
   * @param compacted {@code cleanup.policy=compact} (latest value per key), otherwise delete by age
   */
  public record Topic(String name, int partitions, boolean compacted) {
    public Topic {
      if (partitions < 1) {
        throw new IllegalArgumentException("`partitions` of " + name + " must be ≥ 1, got " + partitions);
      }
    }
  }

  private FleetTopics() {}

  /**
   * The plan for a fleet of at most {@code maxWorkers} worker processes: the jobs topic gets 2 × that many
   * partitions (a consumer group never uses more consumers than partitions, so this leaves room to scale
   * out), results 4, each dead-letter topic 1, the sweep-state topic 1 and compacted.
   */
  public static List<Topic> plan(int maxWorkers) {
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("`maxWorkers` must be ≥ 1, got " + maxWorkers);
    }
    return List.of(
        new Topic(Topics.JOBS, 2 * maxWorkers, false),
        new Topic(Topics.RESULTS, RESULT_PARTITIONS, false),
        new Topic(Topics.JOBS_DLQ, 1, false),
        new Topic(Topics.RESULTS_DLQ, 1, false),
        new Topic(Topics.SWEEPS, 1, true));
  }

  /**
   * Creates the missing topics and grows existing ones to the planned partition count (never shrinks:
   * Kafka cannot). Running it twice changes nothing.
   *
   * <p>A broker that has just started accepts connections before it has caught up with the controller's
   * metadata, and a topic just created is known to the controller before the broker has applied it: both
   * answer with a retriable error (e.g. "This server does not host this topic-partition"). The whole step
   * is idempotent, so it is simply repeated until {@link #RETRY_FOR} has passed.
   */
  public static void ensure(Admin admin, List<Topic> plan) {
    try {
      whileRetriable(RETRY_FOR, () -> ensureOnce(admin, plan));
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create the Kafka topics: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the Kafka topics", e);
    }
  }

  /** One step against the broker; an {@link ExecutionException} carries the broker's error. */
  interface Step {
    void run() throws ExecutionException, InterruptedException;
  }

  /**
   * Runs {@code step}, again every 200 ms while it fails with a {@link RetriableException} and
   * {@code retryFor} has not passed; any other error, or a retriable one after that, is thrown.
   */
  static void whileRetriable(Duration retryFor, Step step) throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + retryFor.toNanos();
    while (true) {
      try {
        step.run();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline >= 0) {
          throw e;
        }
      }
      Thread.sleep(200);
    }
  }

  private static void ensureOnce(Admin admin, List<Topic> plan) throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> create = new ArrayList<>();
    for (Topic t : plan) {
      if (!existing.contains(t.name())) {
        create.add(
            new NewTopic(t.name(), t.partitions(), (short) 1)
                .configs(
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        t.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE)));
      }
    }
    for (var e : admin.createTopics(create).values().entrySet()) {
      try {
        e.getValue().get();
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw ex;
        }
      }
    }
    List<String> names = plan.stream().map(Topic::name).toList();
    Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
    for (Topic t : plan) {
      int have = described.get(t.name()).partitions().size();
      if (have < t.partitions()) {
        admin.createPartitions(Map.of(t.name(), NewPartitions.increaseTo(t.partitions()))).all().get();
      }
    }
  }
}

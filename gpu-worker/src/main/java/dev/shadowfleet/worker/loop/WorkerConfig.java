package dev.shadowfleet.worker.loop;

import static dev.shadowfleet.common.config.ParameterException.require;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.message.Topics;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Everything a worker process is configured with, validated when built, and every Kafka client
 * setting it uses, each with the reason (FLEET-NOTES.md). Read from environment variables ({@link
 * #fromEnv}); the {@code worker} CLI subcommand's options override them.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param groupId consumer group of all workers (KEDA scales on its lag)
 * @param workerId name in results, DLQ records and logs (default: hostname-pid)
 * @param modelsDir where registered model files are (the engine's model cache reads them)
 * @param maxPollRecords records per poll: one image batch (the number of targets per image)
 * @param maxPollInterval Kafka's eviction backstop; the loop keeps polling while a batch computes
 * @param sessionTimeout how long a silent (killed) worker keeps its partitions
 * @param pollTimeout longest wait in one {@code poll()}: also the heartbeat/"still alive" cadence
 * @param maxAttempts attempts of a job that fails with transient errors before it goes to the DLQ
 * @param shutdownDeadline on SIGTERM, how long the current batch may still run; after that it is
 *     handed back uncommitted (keep terminationGracePeriodSeconds above it)
 * @param httpPort health/metrics port; 0 picks a free one, -1 turns the endpoint off
 * @param device {@code auto} (DJL's default: CUDA when present), {@code cpu}, {@code gpu} or
 *     {@code gpu:N}
 * @param topics topic names (the {@link Topics} constants unless a test or a shared cluster needs
 *     others)
 * @param batchWait how long a batch that holds only some targets of its image waits (while fetching)
 *     for the rest to arrive in later polls, so the whole image is attacked in one batch
 * @param startedRefresh how often the started record of a batch still computing is sent again: the
 *     coordinator returns a RUNNING job to QUEUED when none came for {@code shadowfleet.jobs.running-timeout}
 *     (10 min by default), so keep this well below that
 */
public record WorkerConfig(
    String bootstrapServers,
    String groupId,
    String workerId,
    Path modelsDir,
    int maxPollRecords,
    Duration maxPollInterval,
    Duration sessionTimeout,
    Duration pollTimeout,
    int maxAttempts,
    Duration shutdownDeadline,
    int httpPort,
    String device,
    TopicNames topics,
    Duration batchWait,
    Duration startedRefresh) {

  /** Environment variables, one per setting; {@code worker --help} and the README list them. */
  public static final String ENV_BOOTSTRAP = "SHADOWFLEET_KAFKA_BOOTSTRAP";
  public static final String ENV_GROUP = "SHADOWFLEET_GROUP_ID";
  public static final String ENV_WORKER_ID = "SHADOWFLEET_WORKER_ID";
  public static final String ENV_MODELS_DIR = "SHADOWFLEET_MODELS_DIR";
  public static final String ENV_MAX_POLL_RECORDS = "SHADOWFLEET_MAX_POLL_RECORDS";
  public static final String ENV_MAX_POLL_INTERVAL_MS = "SHADOWFLEET_MAX_POLL_INTERVAL_MS";
  public static final String ENV_SESSION_TIMEOUT_MS = "SHADOWFLEET_SESSION_TIMEOUT_MS";
  public static final String ENV_POLL_TIMEOUT_MS = "SHADOWFLEET_POLL_TIMEOUT_MS";
  public static final String ENV_MAX_ATTEMPTS = "SHADOWFLEET_MAX_ATTEMPTS";
  public static final String ENV_SHUTDOWN_DEADLINE_S = "SHADOWFLEET_SHUTDOWN_DEADLINE_S";
  public static final String ENV_HTTP_PORT = "SHADOWFLEET_HTTP_PORT";
  public static final String ENV_DEVICE = "SHADOWFLEET_DEVICE";
  public static final String ENV_BATCH_WAIT_MS = "SHADOWFLEET_BATCH_WAIT_MS";
  public static final String ENV_STARTED_REFRESH_MS = "SHADOWFLEET_STARTED_REFRESH_MS";

  /** Default of {@link #batchWait}: a few polls; the rest of an image is normally already on the broker. */
  public static final Duration DEFAULT_BATCH_WAIT = Duration.ofSeconds(1);

  /**
   * Default of {@link #startedRefresh}: a tenth of the coordinator's default running timeout, so a few lost
   * records never make a computing job look abandoned; one small record per minute per worker.
   */
  public static final Duration DEFAULT_STARTED_REFRESH = Duration.ofMinutes(1);

  /**
   * Prefix of the variables passed to every Kafka client of the worker (TLS, SASL): the rest of the
   * name, lower-cased with {@code _} as {@code .}, is the client property, e.g. {@code
   * SHADOWFLEET_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL} → {@code security.protocol=SASL_SSL}. They
   * never override the settings below (commit mode, acks, …).
   */
  public static final String ENV_CLIENT_PREFIX = dev.shadowfleet.common.config.KafkaClientEnv.PREFIX;

  private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu(:\\d+)?");

  /** The four topics a worker touches. */
  public record TopicNames(String jobs, String results, String dlq, String sweeps) {
    public static final TopicNames DEFAULT =
        new TopicNames(Topics.JOBS, Topics.RESULTS, Topics.JOBS_DLQ, Topics.SWEEPS);

    public TopicNames {
      for (String t : new String[] {jobs, results, dlq, sweeps}) {
        require(t != null && !t.isBlank(), "topics", "four topic names", t);
      }
    }

    /** The same names with a prefix, e.g. {@code test1.shadowfleet.jobs}. */
    public TopicNames prefixed(String prefix) {
      return new TopicNames(prefix + jobs, prefix + results, prefix + dlq, prefix + sweeps);
    }
  }

  public WorkerConfig {
    require(bootstrapServers != null && !bootstrapServers.isBlank(), ENV_BOOTSTRAP,
        "host:port[,host:port…]", bootstrapServers);
    require(groupId != null && !groupId.isBlank(), ENV_GROUP, "a group id", groupId);
    require(workerId != null && !workerId.isBlank(), ENV_WORKER_ID, "a name", workerId);
    require(modelsDir != null, ENV_MODELS_DIR, "a directory", modelsDir);
    require(maxPollRecords >= 1 && maxPollRecords <= 10_000, ENV_MAX_POLL_RECORDS, "in [1, 10000]",
        maxPollRecords);
    require(maxPollInterval != null && maxPollInterval.toMillis() >= 1_000, ENV_MAX_POLL_INTERVAL_MS,
        "≥ 1000", millis(maxPollInterval));
    require(sessionTimeout != null && sessionTimeout.toMillis() >= 1_000, ENV_SESSION_TIMEOUT_MS,
        "≥ 1000", millis(sessionTimeout));
    // the loop must poll several times per interval, or a computing worker would be evicted
    require(pollTimeout != null && pollTimeout.toMillis() >= 10
            && maxPollInterval != null && pollTimeout.toMillis() * 4 <= maxPollInterval.toMillis(),
        ENV_POLL_TIMEOUT_MS, "in [10, max poll interval / 4]", millis(pollTimeout));
    require(maxAttempts >= 1 && maxAttempts <= 100, ENV_MAX_ATTEMPTS, "in [1, 100]", maxAttempts);
    require(shutdownDeadline != null && !shutdownDeadline.isNegative(), ENV_SHUTDOWN_DEADLINE_S,
        "≥ 0", shutdownDeadline);
    require(httpPort >= -1 && httpPort <= 65_535, ENV_HTTP_PORT, "in [-1, 65535] (-1: off, 0: any)",
        httpPort);
    require(device != null && DEVICE.matcher(device).matches(), ENV_DEVICE,
        "one of auto, cpu, gpu, gpu:N", device);
    require(topics != null, "topics", "present", null);
    require(batchWait != null && !batchWait.isNegative() && batchWait.toMillis() <= 600_000,
        ENV_BATCH_WAIT_MS, "in [0, 600000]", millis(batchWait));
    require(startedRefresh != null && startedRefresh.toMillis() >= 100 && startedRefresh.toMillis() <= 3_600_000,
        ENV_STARTED_REFRESH_MS, "in [100, 3600000]", millis(startedRefresh));
  }

  /** The settings with the default {@link #startedRefresh}. */
  public WorkerConfig(String bootstrapServers, String groupId, String workerId, Path modelsDir,
      int maxPollRecords, Duration maxPollInterval, Duration sessionTimeout, Duration pollTimeout,
      int maxAttempts, Duration shutdownDeadline, int httpPort, String device, TopicNames topics,
      Duration batchWait) {
    this(bootstrapServers, groupId, workerId, modelsDir, maxPollRecords, maxPollInterval, sessionTimeout,
        pollTimeout, maxAttempts, shutdownDeadline, httpPort, device, topics, batchWait, DEFAULT_STARTED_REFRESH);
  }

  /** The settings with the default {@link #batchWait}. */
  public WorkerConfig(String bootstrapServers, String groupId, String workerId, Path modelsDir,
      int maxPollRecords, Duration maxPollInterval, Duration sessionTimeout, Duration pollTimeout,
      int maxAttempts, Duration shutdownDeadline, int httpPort, String device, TopicNames topics) {
    this(bootstrapServers, groupId, workerId, modelsDir, maxPollRecords, maxPollInterval, sessionTimeout,
        pollTimeout, maxAttempts, shutdownDeadline, httpPort, device, topics, DEFAULT_BATCH_WAIT);
  }

  /** Reads the environment; an unset variable takes its default. */
  public static WorkerConfig fromEnv(Map<String, String> env) {
    return new WorkerConfig(
        env.getOrDefault(ENV_BOOTSTRAP, "localhost:9092"),
        env.getOrDefault(ENV_GROUP, "shadowfleet-workers"),
        env.getOrDefault(ENV_WORKER_ID, defaultWorkerId()),
        Path.of(env.getOrDefault(ENV_MODELS_DIR, "models")),
        integer(env, ENV_MAX_POLL_RECORDS, 10),
        Duration.ofMillis(integer(env, ENV_MAX_POLL_INTERVAL_MS, 600_000)),
        Duration.ofMillis(integer(env, ENV_SESSION_TIMEOUT_MS, 45_000)),
        Duration.ofMillis(integer(env, ENV_POLL_TIMEOUT_MS, 500)),
        integer(env, ENV_MAX_ATTEMPTS, 3),
        Duration.ofSeconds(integer(env, ENV_SHUTDOWN_DEADLINE_S, 120)),
        integer(env, ENV_HTTP_PORT, 8081),
        env.getOrDefault(ENV_DEVICE, "auto"),
        TopicNames.DEFAULT,
        Duration.ofMillis(integer(env, ENV_BATCH_WAIT_MS, (int) DEFAULT_BATCH_WAIT.toMillis())),
        Duration.ofMillis(integer(env, ENV_STARTED_REFRESH_MS, (int) DEFAULT_STARTED_REFRESH.toMillis())));
  }

  /** {@code hostname-pid}: unique per process, readable in logs (a pod's hostname is its name). */
  public static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "worker";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** Kafka client properties from the {@link #ENV_CLIENT_PREFIX} variables of {@code env}. */
  public static Properties clientSettings(Map<String, String> env) {
    return dev.shadowfleet.common.config.KafkaClientEnv.from(env);
  }

  /** The job consumer's settings. */
  public Properties consumerProperties() {
    Properties p = clientSettings(System.getenv());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-jobs");
    // At-least-once: the offset of a job is committed by hand, only after its result is acked.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // No group.instance.id: workers are an autoscaled Deployment (dynamic membership). A static id
    // only suits StatefulSets; a scaled-in static member would keep its partitions for a session.
    // A group that never committed starts at the beginning of the topic: no job of a sweep published
    // before the first worker came up is skipped. KEDA's offsetResetPolicy must be the same.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Topics are created by the deployment with their partition count (≥ 2× the largest worker count,
    // KEDA never scales past it); a worker must not create a one-partition jobs topic by subscribing.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    // About one image batch per poll (all targets of an image are consecutive records of one key);
    // an image split between polls is put together again by the loop (batchWait).
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxPollRecords));
    // A backstop only: the loop pauses the partitions and keeps polling while a batch computes, so
    // a long batch never gets the worker evicted. It trips only when the loop itself hangs.
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollInterval.toMillis()));
    // How long a killed worker's partitions wait before another worker takes them over.
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(sessionTimeout.toMillis()));
    // A member learns that the group rebalances from a heartbeat's answer, and the cooperative protocol
    // takes two rounds to hand partitions to a new worker: at session/3 (15 s for the default 45 s
    // session) a worker joining a busy group waited ~30 s with nothing assigned while the other held
    // every partition (docs/reliability.md, "Load balance between workers"). Kafka's own default, 3 s.
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        Long.toString(Math.max(100, Math.min(3_000, sessionTimeout.toMillis() / 3))));
    // Incremental rebalancing: a worker joining or leaving moves only the partitions that change
    // owner, so the batches computing elsewhere are not revoked (and thrown away) at every scale step.
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    // Read only committed data if the coordinator ever publishes transactionally.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    // Bytes, decoded by MessageCodec in the loop: a malformed message goes to the DLQ with its
    // reason instead of failing inside the client's deserializer.
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /** The producer of results, DLQ records and retried jobs. */
  public Properties producerProperties() {
    Properties p = clientSettings(System.getenv());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, workerId + "-results");
    // A result counts only when every in-sync replica has it; the job's offset is committed after.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // No duplicates or reordering from the producer's own retries.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Give up on a send well before the consumer would be evicted; the batch is then redone.
    long delivery = Math.max(5_000, Math.min(120_000, maxPollInterval.toMillis() / 2));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(delivery));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(30_000, delivery - 1)));
    // Results are sent at the end of a batch and waited for: no point lingering.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** The reader of the compacted sweeps topic: no group, every partition from the beginning. */
  public Properties sweepReaderProperties() {
    Properties p = clientSettings(System.getenv());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-sweeps");
    // Every worker needs the whole (small, compacted) table: assign(), no group, nothing committed.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The sweeps topic must be created compacted; never auto-created (as a plain topic) by a reader.
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  public WorkerConfig withTopics(TopicNames newTopics) {
    return new WorkerConfig(bootstrapServers, groupId, workerId, modelsDir, maxPollRecords,
        maxPollInterval, sessionTimeout, pollTimeout, maxAttempts, shutdownDeadline, httpPort, device,
        newTopics, batchWait, startedRefresh);
  }

  public WorkerConfig withBatchWait(Duration wait) {
    return new WorkerConfig(bootstrapServers, groupId, workerId, modelsDir, maxPollRecords,
        maxPollInterval, sessionTimeout, pollTimeout, maxAttempts, shutdownDeadline, httpPort, device,
        topics, wait, startedRefresh);
  }

  public WorkerConfig withStartedRefresh(Duration refresh) {
    return new WorkerConfig(bootstrapServers, groupId, workerId, modelsDir, maxPollRecords,
        maxPollInterval, sessionTimeout, pollTimeout, maxAttempts, shutdownDeadline, httpPort, device,
        topics, batchWait, refresh);
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ParameterException(name, "`" + name + "` must be an integer, got " + v);
    }
  }

  private static Object millis(Duration d) {
    return d == null ? null : d.toMillis();
  }
}

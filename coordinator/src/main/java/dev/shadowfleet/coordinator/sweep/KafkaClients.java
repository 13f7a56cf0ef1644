package dev.shadowfleet.coordinator.sweep;

import dev.shadowfleet.common.message.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/** Client settings in one place, each with the reason, and topic creation for local runs and tests. */
@ApplicationScoped
public class KafkaClients {
  private static final Logger LOG = Logger.getLogger(KafkaClients.class);

  private final CoordinatorConfig.Kafka config;
  private volatile boolean topicsReady;

  public KafkaClients(CoordinatorConfig config) {
    this.config = config.kafka();
  }

  /** Producer for jobs, control messages and DLQ records. */
  public Properties producer(String clientId) {
    Properties p = common(clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // No lost job: every in-sync replica has it before the relay moves its cursor.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // No duplicate from the producer's own retries (re-publishes after a crash are deduplicated downstream).
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // Throughput: a page of jobs leaves in few large, compressed batches (job JSON compresses ~5×).
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    return p;
  }

  /** Consumer of results (and of the jobs DLQ). */
  public Properties consumer(String clientId, String groupId, int maxPollRecords) {
    Properties p = common(clientId);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    // Offsets are committed only after the batch's database transaction committed (at-least-once).
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new group reads every result ever published (the database deduplicates).
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // One poll = one database transaction: large batches make ingestion cheap per result.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
    // A batch takes well under a second; five minutes is only a backstop against a stuck database.
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000");
    // Only committed records of transactional producers (workers do not use transactions; harmless).
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }

  public Properties admin(String clientId) {
    return common(clientId);
  }

  private Properties common(String clientId) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    // TLS/SASL: SHADOWFLEET_KAFKA_CLIENT_* variables (as in the worker), then shadowfleet.kafka.client.*
    p.putAll(dev.shadowfleet.common.config.KafkaClientEnv.from(System.getenv()));
    p.putAll(config.client());
    return p;
  }

  /** Creates the missing topics when {@code shadowfleet.kafka.create-topics} is on (once). */
  public synchronized void ensureTopics() {
    if (topicsReady || !config.createTopics()) {
      return;
    }
    short rf = config.replicationFactor();
    List<NewTopic> wanted = new ArrayList<>();
    wanted.add(new NewTopic(Topics.JOBS, config.jobPartitions(), rf));
    wanted.add(new NewTopic(Topics.RESULTS, config.resultPartitions(), rf));
    wanted.add(new NewTopic(Topics.JOBS_DLQ, 3, rf));
    wanted.add(new NewTopic(Topics.RESULTS_DLQ, 3, rf));
    wanted.add(new NewTopic(Topics.SWEEPS, 3, rf).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    try (Admin admin = Admin.create(admin("shadowfleet-coordinator-admin"))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            throw e;
          }
        }
        LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
      }
      topicsReady = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create the Kafka topics: " + e.getMessage(), e);
    }
  }
}

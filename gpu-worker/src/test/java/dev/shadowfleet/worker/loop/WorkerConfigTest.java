package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.message.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkerConfigTest {

  @Test
  void defaultsWhenNothingIsSet() {
    WorkerConfig c = WorkerConfig.fromEnv(Map.of());
    assertEquals("localhost:9092", c.bootstrapServers());
    assertEquals("shadowfleet-workers", c.groupId());
    assertTrue(c.workerId().endsWith("-" + ProcessHandle.current().pid()), c.workerId());
    assertEquals(Path.of("models"), c.modelsDir());
    assertEquals(10, c.maxPollRecords());
    assertEquals(Duration.ofMinutes(10), c.maxPollInterval());
    assertEquals(3, c.maxAttempts());
    assertEquals(Duration.ofSeconds(120), c.shutdownDeadline());
    assertEquals(8081, c.httpPort());
    assertEquals("auto", c.device());
    assertEquals(Topics.JOBS, c.topics().jobs());
    assertEquals(Topics.SWEEPS, c.topics().sweeps());
  }

  @Test
  void environmentVariablesAreRead() {
    WorkerConfig c = WorkerConfig.fromEnv(Map.ofEntries(
        Map.entry("SHADOWFLEET_KAFKA_BOOTSTRAP", "kafka:9092"),
        Map.entry("SHADOWFLEET_GROUP_ID", "g"),
        Map.entry("SHADOWFLEET_WORKER_ID", "pod-1"),
        Map.entry("SHADOWFLEET_MODELS_DIR", "/models"),
        Map.entry("SHADOWFLEET_MAX_POLL_RECORDS", "9"),
        Map.entry("SHADOWFLEET_MAX_POLL_INTERVAL_MS", "60000"),
        Map.entry("SHADOWFLEET_SESSION_TIMEOUT_MS", "20000"),
        Map.entry("SHADOWFLEET_POLL_TIMEOUT_MS", "250"),
        Map.entry("SHADOWFLEET_MAX_ATTEMPTS", "5"),
        Map.entry("SHADOWFLEET_SHUTDOWN_DEADLINE_S", "30"),
        Map.entry("SHADOWFLEET_HTTP_PORT", "9000"),
        Map.entry("SHADOWFLEET_DEVICE", "gpu:1")));
    assertEquals(new WorkerConfig("kafka:9092", "g", "pod-1", Path.of("/models"), 9, Duration.ofSeconds(60),
        Duration.ofSeconds(20), Duration.ofMillis(250), 5, Duration.ofSeconds(30), 9000, "gpu:1",
        WorkerConfig.TopicNames.DEFAULT), c);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("SHADOWFLEET_KAFKA_BOOTSTRAP", " ", "host:port"),
        Arguments.of("SHADOWFLEET_GROUP_ID", "", "a group id"),
        Arguments.of("SHADOWFLEET_WORKER_ID", " ", "a name"),
        Arguments.of("SHADOWFLEET_MAX_POLL_RECORDS", "0", "in [1, 10000]"),
        Arguments.of("SHADOWFLEET_MAX_POLL_RECORDS", "ten", "must be an integer"),
        Arguments.of("SHADOWFLEET_MAX_POLL_INTERVAL_MS", "999", "≥ 1000"),
        Arguments.of("SHADOWFLEET_SESSION_TIMEOUT_MS", "10", "≥ 1000"),
        Arguments.of("SHADOWFLEET_POLL_TIMEOUT_MS", "200000", "max poll interval / 4"),
        Arguments.of("SHADOWFLEET_MAX_ATTEMPTS", "0", "in [1, 100]"),
        Arguments.of("SHADOWFLEET_SHUTDOWN_DEADLINE_S", "-1", "≥ 0"),
        Arguments.of("SHADOWFLEET_HTTP_PORT", "70000", "in [-1, 65535]"),
        Arguments.of("SHADOWFLEET_DEVICE", "tpu", "one of auto, cpu, gpu, gpu:N"),
        Arguments.of("SHADOWFLEET_STARTED_REFRESH_MS", "50", "in [100, 3600000]"),
        Arguments.of("SHADOWFLEET_STARTED_REFRESH_MS", "3600001", "in [100, 3600000]"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void aBadValueIsRefusedNamingTheVariable(String variable, String value, String rule) {
    Map<String, String> env = new HashMap<>();
    env.put(variable, value);
    ParameterException e = assertThrows(ParameterException.class, () -> WorkerConfig.fromEnv(env));
    assertEquals(variable, e.field());
    assertTrue(e.getMessage().contains(variable) && e.getMessage().contains(rule), e.getMessage());
  }

  @Test
  void theConsumerIsSetUpForAtLeastOnceWithLongJobs() {
    WorkerConfig c = WorkerConfig.fromEnv(Map.of("SHADOWFLEET_MAX_POLL_RECORDS", "9"));
    Properties p = c.consumerProperties();
    assertEquals("false", p.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
    assertEquals("earliest", p.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
    assertEquals("9", p.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
    assertEquals("600000", p.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG));
    assertFalse(p.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "dynamic membership");
    assertEquals("false", p.get(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG));
    // rebalances are learnt from heartbeats: Kafka's 3 s for the default 45 s session, a third of a short one
    assertEquals("3000", p.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
    assertEquals("2000", WorkerConfig.fromEnv(Map.of("SHADOWFLEET_SESSION_TIMEOUT_MS", "6000")).consumerProperties()
        .get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
    Properties producer = c.producerProperties();
    assertEquals("all", producer.get(ProducerConfig.ACKS_CONFIG));
    assertEquals("true", producer.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    assertTrue(Long.parseLong((String) producer.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))
        < c.maxPollInterval().toMillis(), "a send gives up before the consumer would be evicted");
    assertFalse(c.sweepReaderProperties().containsKey(ConsumerConfig.GROUP_ID_CONFIG));
  }
}

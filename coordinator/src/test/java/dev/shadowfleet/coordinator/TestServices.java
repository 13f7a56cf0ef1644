package dev.shadowfleet.coordinator;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * The real services the coordinator tests run against, started once per JVM: a PostgreSQL server
 * (zonky's embedded binaries, a real postgres process) and a one-node KRaft Kafka cluster in this JVM
 * (Apache Kafka's own {@code KafkaClusterTestKit}). The kit is an internal Kafka API: it is used here
 * and nowhere else, on the one Kafka version the build pins.
 */
public final class TestServices {
  private static EmbeddedPostgres postgres;
  private static KafkaClusterTestKit kafka;

  private TestServices() {}

  /** Starts both services (once) and returns the coordinator settings that point at them. */
  public static synchronized Map<String, String> start() {
    try {
      if (postgres == null) {
        postgres =
            EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "4GB")
                .start();
      }
      if (kafka == null) {
        Path dir = Files.createTempDirectory("shadowfleet-kafka");
        kafka =
            new KafkaClusterTestKit.Builder(
                    new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(dir)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "4")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        Runtime.getRuntime().addShutdownHook(new Thread(TestServices::stop, "test-services-stop"));
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start PostgreSQL and Kafka for the tests", e);
    }
    return Map.of(
        "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres",
        "shadowfleet.kafka.bootstrap-servers", kafka.bootstrapServers());
  }

  public static String bootstrapServers() {
    start();
    return kafka.bootstrapServers();
  }

  private static synchronized void stop() {
    try {
      if (kafka != null) {
        kafka.close();
      }
      if (postgres != null) {
        postgres.close();
      }
    } catch (Exception e) {
      // the JVM is exiting
    }
  }
}

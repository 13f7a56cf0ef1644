package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** TLS/SASL settings reach the worker's Kafka clients through SHADOWFLEET_KAFKA_CLIENT_* variables. */
class KafkaClientEnvTest {
  @Test
  void prefixedVariablesBecomeClientProperties() {
    Properties p = WorkerConfig.clientSettings(Map.of(
        "SHADOWFLEET_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
        "SHADOWFLEET_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
        "SHADOWFLEET_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
        "SHADOWFLEET_KAFKA_CLIENT_", "ignored",
        "SHADOWFLEET_KAFKA_BOOTSTRAP", "not a client property"));
    assertEquals(3, p.size(), p.toString());
    assertEquals("SASL_SSL", p.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"));
    assertEquals("/etc/kafka/ca.p12", p.get("ssl.truststore.location"));
  }
}

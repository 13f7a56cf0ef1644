package dev.shadowfleet.common.config;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client settings from the environment, the same way in the coordinator and the worker (TLS,
 * SASL): every {@code SHADOWFLEET_KAFKA_CLIENT_<NAME>} variable becomes the client property {@code
 * <name>} lower-cased with {@code _} as {@code .}, e.g. {@code
 * SHADOWFLEET_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL} → {@code security.protocol=SASL_SSL}.
 */
public final class KafkaClientEnv {
  public static final String PREFIX = "SHADOWFLEET_KAFKA_CLIENT_";

  private KafkaClientEnv() {}

  public static Properties from(Map<String, String> env) {
    Properties p = new Properties();
    env.forEach((k, v) -> {
      if (k.startsWith(PREFIX) && k.length() > PREFIX.length()) {
        p.put(k.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    return p;
  }
}

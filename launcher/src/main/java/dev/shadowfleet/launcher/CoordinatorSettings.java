package dev.shadowfleet.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the coordinator (a Quarkus fast-jar) is started and pointed at Kafka and PostgreSQL: the
 * environment variables its {@code application.properties} reads in the prod profile.
 */
final class CoordinatorSettings {
  private CoordinatorSettings() {}

  static List<String> command(Path quarkusRunJar) {
    return List.of(
        ChildProcess.javaExecutable(),
        "-Xms64m",
        "-Xmx768m",
        "-XX:+UseSerialGC",
        "-Djava.awt.headless=true",
        "-jar",
        quarkusRunJar.toString());
  }

  /**
   * The coordinator's settings for a stack whose topics the launcher has created (the coordinator
   * itself creates none), with Swagger UI on.
   */
  static Map<String, String> env(LocalStack.Infra infra, String httpHost, int httpPort) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SHADOWFLEET_DB_URL", infra.database().jdbcUrl());
    env.put("SHADOWFLEET_DB_USER", infra.database().user());
    env.put("SHADOWFLEET_DB_PASSWORD", infra.database().password());
    env.put("SHADOWFLEET_KAFKA_BOOTSTRAP", infra.bootstrapServers());
    env.put("SHADOWFLEET_KAFKA_CREATE_TOPICS", "false");
    env.put("SHADOWFLEET_SWAGGER_UI", "true");
    // Access control on, as in production: writes need a token (the launcher creates an operator's);
    // reads stay open so the dashboard works without one.
    env.put("SHADOWFLEET_AUTH_ENABLED", "true");
    env.put("SHADOWFLEET_AUTH_READ_OPEN", "true");
    env.put("QUARKUS_HTTP_HOST", httpHost);
    env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
    return env;
  }
}

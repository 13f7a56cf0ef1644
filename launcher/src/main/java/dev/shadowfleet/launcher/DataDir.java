package dev.shadowfleet.launcher;

import java.nio.file.Path;

/**
 * Where one local stack keeps everything: {@code kafka/} (broker log directory), {@code postgres/} (the
 * cluster and its binaries), {@code logs/} (coordinator and workers), {@code ports.properties} (ports
 * kept across runs), {@code launcher.lock} + {@code launcher.pid} (one launcher at a time), {@code
 * stack.properties} (what is running now, for {@code status} and {@code down}), {@code operator.token} (the
 * coordinator API token the launcher uses, mode 0600).
 */
public record DataDir(Path root) {
  /** The environment variable naming the data directory. */
  public static final String ENV = "SHADOWFLEET_HOME";

  public DataDir {
    root = root.toAbsolutePath().normalize();
  }

  /** {@code option} when given, else {@code $SHADOWFLEET_HOME}, else {@code ./.shadowfleet}. */
  public static DataDir resolve(Path option) {
    if (option != null) {
      return new DataDir(option);
    }
    String env = System.getenv(ENV);
    return new DataDir(env == null || env.isBlank() ? Path.of(".shadowfleet") : Path.of(env));
  }

  public Path kafka() {
    return root.resolve("kafka");
  }

  public Path postgres() {
    return root.resolve("postgres");
  }

  public Path logs() {
    return root.resolve("logs");
  }

  public Path ports() {
    return root.resolve("ports.properties");
  }

  public Path lockFile() {
    return root.resolve("launcher.lock");
  }

  public Path pidFile() {
    return root.resolve("launcher.pid");
  }

  /** The operator API token {@code up} creates and uses (readable by the owner only). */
  public Path operatorToken() {
    return root.resolve("operator.token");
  }

  public Path stateFile() {
    return root.resolve("stack.properties");
  }
}

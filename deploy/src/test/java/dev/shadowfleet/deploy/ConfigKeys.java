package dev.shadowfleet.deploy;

import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration keys the code really reads, taken from the source tree at test time, so that a key
 * renamed in the code and not in the deploy files (or the reverse) fails a test.
 *
 * <ul>
 *   <li>Coordinator: the environment variables {@code application.properties} names in {@code ${...}},
 *       plus the environment form of every property it declares (Quarkus maps {@code a.b-c} to
 *       {@code A_B_C}).
 *   <li>Worker: every {@code "SHADOWFLEET_..."} string literal in gpu-worker's main sources (the
 *       {@code ENV_*} constants of {@code WorkerConfig}, the dataset directory variable).
 * </ul>
 *
 * <p>While the coordinator's configuration or the worker loop is not in the tree yet (they are built on
 * other branches), the keys agreed for them stand in: {@link #AGREED_COORDINATOR}, {@link
 * #AGREED_WORKER}. They are used only when the code is absent.
 */
final class ConfigKeys {
  static final String COORDINATOR_PROPERTIES = "coordinator/src/main/resources/application.properties";
  static final String WORKER_SOURCES = "gpu-worker/src/main/java";
  static final String WORKER_CONFIG = WORKER_SOURCES + "/dev/shadowfleet/worker/loop/WorkerConfig.java";

  /** Agreed coordinator keys, used only while application.properties does not read them yet. */
  static final Set<String> AGREED_COORDINATOR =
      Set.of(
          "SHADOWFLEET_DB_URL",
          "SHADOWFLEET_DB_USER",
          "SHADOWFLEET_DB_PASSWORD",
          "SHADOWFLEET_KAFKA_BOOTSTRAP",
          "SHADOWFLEET_KAFKA_CREATE_TOPICS");

  /** Agreed worker keys, used only while the worker loop's WorkerConfig is not in the tree yet. */
  static final Set<String> AGREED_WORKER =
      Set.of(
          "SHADOWFLEET_KAFKA_BOOTSTRAP",
          "SHADOWFLEET_GROUP_ID",
          "SHADOWFLEET_WORKER_ID",
          "SHADOWFLEET_MODELS_DIR",
          "SHADOWFLEET_HTTP_PORT",
          "SHADOWFLEET_SHUTDOWN_DEADLINE_S",
          "SHADOWFLEET_DEVICE");

  /** Read by the JVM or by the images' own entrypoints, not by our code. */
  static final Set<String> JVM_AND_IMAGE = Set.of("JAVA_TOOL_OPTIONS", "JAVA_OPTS_APPEND");

  /**
   * Read by DJL (native library location, cache) and by the NVIDIA container runtime: the worker
   * images set them, the code never reads them itself.
   */
  static final Set<String> DJL_AND_NVIDIA =
      Set.of(
          "DJL_CACHE_DIR",
          "PYTORCH_LIBRARY_PATH",
          "PYTORCH_VERSION",
          "PYTORCH_FLAVOR",
          "NVIDIA_VISIBLE_DEVICES",
          "NVIDIA_DRIVER_CAPABILITIES");

  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::[^}]*)?}");
  private static final Pattern WORKER_LITERAL = Pattern.compile("\"(SHADOWFLEET_[A-Z0-9_]+)\"");

  private ConfigKeys() {}

  /** Whether application.properties already reads the coordinator's environment variables. */
  static boolean coordinatorFromSource() {
    return ENV_REF.matcher(Repo.read(COORDINATOR_PROPERTIES)).find();
  }

  static boolean workerFromSource() {
    return Files.isRegularFile(Repo.path(WORKER_CONFIG));
  }

  /** Environment variables the coordinator reads. */
  static Set<String> coordinator() {
    Set<String> keys = new TreeSet<>(JVM_AND_IMAGE);
    String props = Repo.read(COORDINATOR_PROPERTIES);
    Matcher ref = ENV_REF.matcher(props);
    while (ref.find()) {
      keys.add(ref.group(1));
    }
    for (String line : props.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#") || t.startsWith("!")) {
        continue;
      }
      int eq = t.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = t.substring(0, eq).strip();
      if (key.startsWith("%")) {
        key = key.substring(key.indexOf('.') + 1);
      }
      keys.add(envForm(key));
    }
    if (!coordinatorFromSource()) {
      keys.addAll(AGREED_COORDINATOR);
    }
    return keys;
  }

  /** Environment variables the worker process reads (the code's, DJL's, the JVM's). */
  static Set<String> worker() {
    Set<String> keys = new TreeSet<>(JVM_AND_IMAGE);
    keys.addAll(DJL_AND_NVIDIA);
    Matcher m = WORKER_LITERAL.matcher(Repo.javaSources(WORKER_SOURCES));
    while (m.find()) {
      keys.add(m.group(1));
    }
    if (!workerFromSource()) {
      keys.addAll(AGREED_WORKER);
    }
    return keys;
  }

  /**
   * The worker's job consumer's {@code auto.offset.reset}: the value set in {@code
   * consumerProperties()} of WorkerConfig ("earliest" agreed while it is absent).
   */
  static String workerAutoOffsetReset() {
    if (!workerFromSource()) {
      return "earliest";
    }
    String src = Repo.read(WORKER_CONFIG);
    int start = src.indexOf("consumerProperties()");
    int end = src.indexOf("public ", start + 1);
    if (start < 0) {
      throw new AssertionError("WorkerConfig has no consumerProperties()");
    }
    String body = src.substring(start, end < 0 ? src.length() : end);
    Matcher m = Pattern.compile("AUTO_OFFSET_RESET_CONFIG\\s*,\\s*\"(\\w+)\"").matcher(body);
    if (!m.find()) {
      throw new AssertionError("WorkerConfig.consumerProperties() sets no auto.offset.reset literal");
    }
    return m.group(1);
  }

  /** The worker health server's paths ({@code createContext("/...")}); agreed ones while absent. */
  static Set<String> workerHttpPaths() {
    Set<String> paths = new LinkedHashSet<>();
    Matcher m =
        Pattern.compile("createContext\\(\\s*\"(/[^\"]*)\"").matcher(Repo.javaSources(WORKER_SOURCES));
    while (m.find()) {
      paths.add(m.group(1));
    }
    if (paths.isEmpty() && !workerFromSource()) {
      paths.addAll(Set.of("/health/live", "/health/ready", "/metrics"));
    }
    return paths;
  }

  /** Quarkus' environment-variable form of a property name. */
  static String envForm(String property) {
    StringBuilder sb = new StringBuilder(property.length());
    for (char c : property.toCharArray()) {
      sb.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }
}

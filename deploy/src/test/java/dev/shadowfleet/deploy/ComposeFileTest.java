package dev.shadowfleet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml: services, images, healthchecks, start order, scaling, GPU, env keys. */
class ComposeFileTest {
  private static final Map<String, Object> COMPOSE = Repo.compose();

  @Test
  void hasTheWholeStack() {
    assertEquals(
        Set.of("kafka", "kafka-init", "postgres", "coordinator", "worker", "worker-gpu"),
        services().keySet());
    assertEquals(Set.of("kafka-data", "postgres-data", "models"), map(COMPOSE.get("volumes")).keySet());
  }

  @Test
  void kafkaIsTheOfficialImageInKraftModeOnTheBuildsKafkaVersion() {
    Map<String, Object> kafka = service("kafka");
    assertEquals("apache/kafka:" + Repo.pomProperty("kafka.version"), kafka.get("image"));
    assertEquals("apache/kafka:" + Repo.pomProperty("kafka.version"), service("kafka-init").get("image"));
    Map<String, String> env = env("kafka");
    assertEquals(Set.of("broker", "controller"), Set.of(env.get("KAFKA_PROCESS_ROLES").split(",")));
    assertFalse(
        COMPOSE.toString().toLowerCase().contains("zookeeper"), "KRaft only: nothing about ZooKeeper");
    // The controller quorum is this node on the CONTROLLER listener's port.
    String node = env.get("KAFKA_NODE_ID");
    Matcher voter = Pattern.compile("(\\d+)@kafka:(\\d+)").matcher(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
    assertTrue(voter.matches(), "controller quorum voters");
    assertEquals(node, voter.group(1));
    assertTrue(env.get("KAFKA_LISTENERS").contains("CONTROLLER://:" + voter.group(2)));
    assertTrue(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").contains("CONTROLLER:"));
    // KRaft storage refuses a cluster id that is not 16 bytes in base64url.
    assertEquals(16, Base64.getUrlDecoder().decode(env.get("CLUSTER_ID")).length, "CLUSTER_ID");
    // One broker: internal topics cannot have more replicas than brokers.
    assertEquals("1", env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"));
    assertEquals("1", env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"));
    assertEquals("false", env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"));
    // The data directory is the mounted volume (the image's /var/lib/kafka/data, owned by its user).
    assertEquals("/var/lib/kafka/data", env.get("KAFKA_LOG_DIRS"));
    assertTrue(list(kafka.get("volumes")).contains("kafka-data:/var/lib/kafka/data"));
    assertTrue(healthcheck("kafka").contains("kafka-broker-api-versions.sh --bootstrap-server localhost:9092"));
    // Clients inside the compose network reach the PLAINTEXT listener the broker advertises.
    assertTrue(env.get("KAFKA_ADVERTISED_LISTENERS").contains("PLAINTEXT://kafka:9092"));
  }

  @Test
  void topicInitRunsTheSharedScriptOnceAfterKafkaIsHealthy() {
    Map<String, Object> init = service("kafka-init");
    assertEquals("service_healthy", dependsOn("kafka-init").get("kafka"));
    assertTrue(list(init.get("volumes")).contains("./deploy/k8s/base/create-topics.sh:/scripts/create-topics.sh:ro"));
    assertTrue(Files.isRegularFile(Repo.path("deploy/k8s/base/create-topics.sh")));
    assertEquals(List.of("/bin/bash", "/scripts/create-topics.sh"), init.get("entrypoint"));
    assertEquals("no", init.get("restart"));
    Map<String, String> env = env("kafka-init");
    assertEquals("kafka:9092", env.get("KAFKA_BOOTSTRAP"));
    assertEquals("1", env.get("REPLICATION_FACTOR"), "one broker");
    assertEquals("1", env.get("MIN_INSYNC_REPLICAS"), "one broker");
    assertTrue(Integer.parseInt(env.get("JOBS_PARTITIONS")) >= 2);
  }

  @Test
  void postgresIsTheOfficialImageWithPgIsreadyAndAVolume() {
    Map<String, Object> pg = service("postgres");
    assertTrue(((String) pg.get("image")).startsWith("postgres:"), "official postgres image");
    assertTrue(healthcheck("postgres").startsWith("pg_isready"), healthcheck("postgres"));
    assertTrue(list(pg.get("volumes")).contains("postgres-data:/var/lib/postgresql/data"));
    // The coordinator connects to the database and user the image creates.
    Map<String, String> env = env("postgres");
    Map<String, String> coord = env("coordinator");
    assertEquals("jdbc:postgresql://postgres:5432/" + env.get("POSTGRES_DB"), coord.get("SHADOWFLEET_DB_URL"));
    assertEquals(env.get("POSTGRES_USER"), coord.get("SHADOWFLEET_DB_USER"));
    assertEquals(env.get("POSTGRES_PASSWORD"), coord.get("SHADOWFLEET_DB_PASSWORD"));
    assertTrue(healthcheck("postgres").contains("-U " + env.get("POSTGRES_USER")));
  }

  @Test
  void coordinatorStartsAfterItsDependenciesAndReportsReadiness() {
    Map<String, Object> c = service("coordinator");
    assertEquals("deploy/docker/Dockerfile.coordinator", map(c.get("build")).get("dockerfile"));
    assertEquals(
        Map.of("postgres", "service_healthy", "kafka", "service_healthy",
            "kafka-init", "service_completed_successfully"),
        dependsOn("coordinator"));
    String port = quarkusHttpPort();
    assertTrue(healthcheck("coordinator").contains("http://localhost:" + port + "/q/health/ready"),
        healthcheck("coordinator"));
    assertTrue(list(c.get("ports")).contains(port + ":" + port));
    assertEquals("kafka:9092", env("coordinator").get("SHADOWFLEET_KAFKA_BOOTSTRAP"));
  }

  @Test
  void everyHealthyConditionPointsAtAServiceWithAHealthcheck() {
    for (String name : services().keySet()) {
      for (Map.Entry<String, Object> dep : dependsOn(name).entrySet()) {
        assertTrue(services().containsKey(dep.getKey()), name + " depends on unknown " + dep.getKey());
        if ("service_healthy".equals(dep.getValue())) {
          assertNotNull(service(dep.getKey()).get("healthcheck"),
              name + " waits for " + dep.getKey() + " to be healthy, which has no healthcheck");
        }
      }
    }
  }

  @Test
  void workersScaleAndShutDownGracefully() {
    for (String name : List.of("worker", "worker-gpu")) {
      Map<String, Object> w = service(name);
      // `docker compose up --scale worker=N` needs generated names and no fixed host ports.
      assertFalse(w.containsKey("container_name"), name + ": container_name prevents --scale");
      assertFalse(w.containsKey("ports"), name + ": a fixed host port prevents --scale");
      assertFalse(w.containsKey("hostname"), name + ": one hostname for N replicas");
      Map<String, String> env = env(name);
      // The shutdown deadline must end before Docker's SIGKILL.
      long deadline = Long.parseLong(env.get("SHADOWFLEET_SHUTDOWN_DEADLINE_S"));
      Duration grace = duration((String) w.get("stop_grace_period"));
      assertTrue(grace.getSeconds() > deadline, name + ": stop_grace_period " + grace + " ≤ deadline");
      assertTrue(healthcheck(name).contains("http://localhost:" + env.get("SHADOWFLEET_HTTP_PORT") + "/health/ready"));
      assertTrue(ConfigKeys.workerHttpPaths().contains("/health/ready"));
      assertEquals("kafka:9092", env.get("SHADOWFLEET_KAFKA_BOOTSTRAP"));
      assertTrue(ComposeFileTest.<String>list(w.get("volumes")).stream().anyMatch(v -> v.startsWith("models:")), name + ": models volume");
      // Workers never hold database credentials.
      assertTrue(env.keySet().stream().noneMatch(k -> k.contains("DB_")), name + ": no DB settings");
    }
    assertEquals("cpu", env("worker").get("SHADOWFLEET_DEVICE"));
    assertEquals("gpu", env("worker-gpu").get("SHADOWFLEET_DEVICE"));
  }

  @Test
  void gpuWorkerIsAProfileReservingOneNvidiaGpu() {
    Map<String, Object> gpu = service("worker-gpu");
    assertEquals(List.of("gpu"), gpu.get("profiles"));
    assertEquals("deploy/docker/Dockerfile.worker-cuda", map(gpu.get("build")).get("dockerfile"));
    List<Object> devices = devices("worker-gpu");
    assertEquals(1, devices.size());
    Map<String, Object> device = map(devices.get(0));
    assertEquals("nvidia", device.get("driver"));
    assertEquals(List.of("gpu"), device.get("capabilities"));
    assertEquals(1, device.get("count"), "one GPU per replica");
    // The CPU worker reserves none, and is not behind a profile (it starts by default).
    assertTrue(devices("worker").isEmpty());
    assertFalse(service("worker").containsKey("profiles"));
  }

  @Test
  void environmentKeysAreTheOnesTheCodeReads() {
    Set<String> unknown = new TreeSet<>();
    Set<String> coordinator = ConfigKeys.coordinator();
    env("coordinator").keySet().stream().filter(k -> !coordinator.contains(k))
        .forEach(k -> unknown.add("coordinator: " + k));
    Set<String> worker = ConfigKeys.worker();
    for (String name : List.of("worker", "worker-gpu")) {
      env(name).keySet().stream().filter(k -> !worker.contains(k)).forEach(k -> unknown.add(name + ": " + k));
    }
    assertEquals(Set.of(), unknown, "environment variables no code reads");
  }

  @Test
  void imagesAreBuiltFromTheDockerfilesInTheRepository() {
    for (String name : List.of("coordinator", "worker", "worker-gpu")) {
      Map<String, Object> build = map(service(name).get("build"));
      assertEquals(".", build.get("context"), name + ": the repository root is the context");
      assertTrue(Files.isRegularFile(Repo.path((String) build.get("dockerfile"))), name + " Dockerfile");
      assertTrue(((String) service(name).get("image")).startsWith("shadowfleet/"), name + " image name");
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  static Map<String, Object> services() {
    return map(COMPOSE.get("services"));
  }

  static Map<String, Object> service(String name) {
    Map<String, Object> s = map(services().get(name));
    assertNotNull(s, "service " + name);
    return s;
  }

  static Map<String, String> env(String name) {
    Object e = service(name).get("environment");
    if (e == null) {
      return Map.of();
    }
    Map<String, String> out = new java.util.TreeMap<>();
    map(e).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  static Map<String, Object> dependsOn(String name) {
    Object d = service(name).get("depends_on");
    Map<String, Object> out = new java.util.TreeMap<>();
    if (d instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put((String) k, map(v).get("condition")));
    } else if (d instanceof List<?> l) {
      l.forEach(k -> out.put((String) k, "service_started"));
    }
    return out;
  }

  static String healthcheck(String name) {
    Object test = map(service(name).get("healthcheck")).get("test");
    if (test instanceof List<?> l) {
      List<?> rest = "CMD-SHELL".equals(l.get(0)) || "CMD".equals(l.get(0)) ? l.subList(1, l.size()) : l;
      return String.join(" ", rest.stream().map(String::valueOf).toList());
    }
    return String.valueOf(test);
  }

  static List<Object> devices(String name) {
    Map<String, Object> deploy = map(service(name).get("deploy"));
    if (deploy == null) {
      return List.of();
    }
    Map<String, Object> reservations = map(map(deploy.get("resources")).get("reservations"));
    return reservations == null ? List.of() : list(reservations.get("devices"));
  }

  static String quarkusHttpPort() {
    Matcher m = Pattern.compile("(?m)^quarkus\\.http\\.port=(\\d+)").matcher(Repo.read(ConfigKeys.COORDINATOR_PROPERTIES));
    return m.find() ? m.group(1) : "8080";
  }

  static Duration duration(String compose) {
    Matcher m = Pattern.compile("(\\d+)(s|m)").matcher(compose);
    if (!m.matches()) {
      fail("unsupported duration " + compose);
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).equals("s") ? Duration.ofSeconds(n) : Duration.ofMinutes(n);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static <T> List<T> list(Object o) {
    return o == null ? List.of() : (List<T>) o;
  }
}

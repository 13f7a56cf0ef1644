package dev.shadowfleet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** deploy/k8s: the Kustomize base, its objects against each other and against the code, the overlays. */
class KubernetesManifestsTest {
  private static final List<JsonNode> BASE = Kube.resources(Kube.BASE);

  // ---- kustomizations --------------------------------------------------------------------------------

  @Test
  void everyFileAKustomizationNamesExistsAndEveryBaseManifestIsListed() {
    for (Path dir : List.of(Kube.BASE, Kube.CPU, Kube.GPU)) {
      JsonNode k = Kube.kustomization(dir);
      for (JsonNode r : k.path("resources")) {
        assertTrue(Files.exists(dir.resolve(r.asText())), dir + ": resource " + r.asText());
      }
      for (JsonNode p : k.path("patches")) {
        assertTrue(Files.isRegularFile(dir.resolve(p.path("path").asText())), dir + ": patch " + p);
      }
      for (JsonNode g : k.path("configMapGenerator")) {
        for (JsonNode f : g.path("files")) {
          assertTrue(Files.isRegularFile(dir.resolve(f.asText())), dir + ": generator file " + f.asText());
        }
      }
    }
    Set<String> listed = new HashSet<>();
    Kube.kustomization(Kube.BASE).path("resources").forEach(r -> listed.add(r.asText()));
    try (var files = Files.list(Kube.BASE)) {
      Set<String> manifests = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(manifests, new TreeSet<>(listed), "base manifests vs kustomization resources");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertEquals("shadowfleet", Kube.kustomization(Kube.BASE).path("namespace").asText());
  }

  @Test
  void everyObjectIsAKnownTypeWithOnlyFieldsTheApiHas() {
    assertEquals(11, BASE.size(), "objects in the base");
    for (JsonNode doc : BASE) {
      assertTrue(Kube.known(doc), "unexpected " + Kube.typeOf(doc));
      if (!Kube.CUSTOM.contains(Kube.typeOf(doc))) {
        Kube.typed(doc);
      }
    }
  }

  // ---- deployments -------------------------------------------------------------------------------------

  @Test
  void everyDeploymentHasProbesOnDeclaredPortsAndResources() {
    for (JsonNode doc : BASE) {
      if (!doc.path("kind").asText().equals("Deployment")) {
        continue;
      }
      Deployment d = Kube.typed(doc, Deployment.class);
      for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
        String where = d.getMetadata().getName() + "/" + c.getName();
        assertNotNull(c.getLivenessProbe(), where + " liveness");
        assertNotNull(c.getReadinessProbe(), where + " readiness");
        for (Probe p : List.of(c.getLivenessProbe(), c.getReadinessProbe())) {
          assertNotNull(p.getHttpGet(), where + ": probes are HTTP health endpoints");
          assertTrue(declaresPort(c, p.getHttpGet().getPort()), where + ": probe port " + p.getHttpGet().getPort());
        }
        var r = c.getResources();
        assertNotNull(r, where + " resources");
        for (String res : List.of("cpu", "memory")) {
          Quantity req = r.getRequests().get(res);
          Quantity lim = r.getLimits().get(res);
          assertNotNull(req, where + " requests." + res);
          assertNotNull(lim, where + " limits." + res);
          assertTrue(lim.getNumericalAmount().compareTo(req.getNumericalAmount()) >= 0, where + ": limit < request for " + res);
        }
        assertTrue(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot(), where + " non-root");
      }
    }
  }

  @Test
  void coordinatorProbesAreQuarkusHealthOnItsHttpPort() {
    Deployment d = deployment("coordinator");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    int port = Integer.parseInt(ComposeFileTest.quarkusHttpPort());
    assertEquals(port, namedPort(c, "http"));
    assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
    assertEquals("/q/metrics", d.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/path"));
    Service s = Kube.typed(Kube.find(BASE, "Service", "coordinator"), Service.class);
    assertEquals(d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(s.getSpec().getSelector().entrySet()), true,
        "the Service selects the coordinator pods");
    assertEquals("http", s.getSpec().getPorts().get(0).getTargetPort().getStrVal());
  }

  @Test
  void workerProbesAndGracePeriodFollowTheWorkerConfig() {
    Deployment d = deployment("worker");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> cfg = configMap("worker-config");
    assertEquals(Integer.parseInt(cfg.get("SHADOWFLEET_HTTP_PORT")), namedPort(c, "http"));
    Set<String> paths = ConfigKeys.workerHttpPaths();
    assertEquals("/health/live", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath());
    assertTrue(paths.containsAll(Set.of("/health/live", "/health/ready", "/metrics")), "worker serves " + paths);
    assertEquals(cfg.get("SHADOWFLEET_HTTP_PORT"),
        d.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/port"));
    // KEDA's HPA owns the replica count.
    assertNull(d.getSpec().getReplicas(), "worker replicas must be left to KEDA");
    // SIGTERM -> finish or hand back the batch within the deadline -> leave the group, before SIGKILL.
    long deadline = Long.parseLong(cfg.get("SHADOWFLEET_SHUTDOWN_DEADLINE_S"));
    long grace = d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertTrue(grace >= deadline + 30, "terminationGracePeriodSeconds " + grace + " vs deadline " + deadline);
    // Dynamic membership: nothing that would become a static group.instance.id.
    assertTrue(allEnvNames(c).stream().noneMatch(n -> n.contains("INSTANCE")), "no static membership");
    assertEquals(List.of("worker"), c.getArgs());
    assertEquals("cpu", env(c, "SHADOWFLEET_DEVICE"));
    // The worker id is the pod name (a readable, unique name in logs and results).
    EnvVar id = c.getEnv().stream().filter(e -> e.getName().equals("SHADOWFLEET_WORKER_ID")).findFirst().orElseThrow();
    assertEquals("metadata.name", id.getValueFrom().getFieldRef().getFieldPath());
  }

  @Test
  void environmentComesFromObjectsInTheBaseAndUsesOnlyKeysTheCodeReads() {
    Set<String> unknown = new TreeSet<>();
    Map<String, Set<String>> readBy = Map.of("coordinator", ConfigKeys.coordinator(), "worker", ConfigKeys.worker());
    for (String name : readBy.keySet()) {
      Container c = deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0);
      for (String key : allEnvNames(c)) {
        if (!readBy.get(name).contains(key)) {
          unknown.add(name + ": " + key);
        }
      }
    }
    assertEquals(Set.of(), unknown, "environment variables no code reads");
    // Workers get no database credentials.
    Container w = deployment("worker").getSpec().getTemplate().getSpec().getContainers().get(0);
    assertTrue(w.getEnvFrom().stream().allMatch(e -> e.getSecretRef() == null), "worker mounts no secret");
    assertTrue(allEnvNames(w).stream().noneMatch(k -> k.contains("DB_")));
    // The secret holds only placeholders, documented as such.
    Secret s = Kube.typed(Kube.find(BASE, "Secret", "coordinator-db"), Secret.class);
    assertEquals("CHANGE-ME", s.getStringData().get("SHADOWFLEET_DB_PASSWORD"));
    assertTrue(Repo.read("deploy/k8s/base/coordinator-secret.yaml").contains("PLACEHOLDER"));
  }

  // ---- disruption budgets ----------------------------------------------------------------------------------

  @Test
  void everyDisruptionBudgetSelectsTheLabelsOfExactlyOneDeployment() {
    int budgets = 0;
    for (JsonNode doc : BASE) {
      if (!doc.path("kind").asText().equals("PodDisruptionBudget")) {
        continue;
      }
      budgets++;
      PodDisruptionBudget pdb = Kube.typed(doc, PodDisruptionBudget.class);
      Map<String, String> selector = pdb.getSpec().getSelector().getMatchLabels();
      List<String> matched = new ArrayList<>();
      for (JsonNode d : BASE) {
        if (d.path("kind").asText().equals("Deployment")) {
          Deployment dep = Kube.typed(d, Deployment.class);
          if (dep.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet())) {
            matched.add(dep.getMetadata().getName());
            assertEquals(dep.getSpec().getSelector().getMatchLabels(), selector,
                pdb.getMetadata().getName() + ": same selector as the Deployment");
          }
        }
      }
      assertEquals(List.of(pdb.getMetadata().getName()), matched, "PDB " + pdb.getMetadata().getName());
      assertTrue(pdb.getSpec().getMinAvailable() == null || pdb.getSpec().getMaxUnavailable() == null);
    }
    assertEquals(2, budgets);
    // A budget that can never be met (minAvailable = all) would block every node drain.
    IntOrString worker = Kube.typed(Kube.find(BASE, "PodDisruptionBudget", "worker"), PodDisruptionBudget.class)
        .getSpec().getMaxUnavailable();
    assertNotNull(worker);
  }

  // ---- topics and autoscaling -----------------------------------------------------------------------------

  @Test
  void topicJobRunsTheScriptFromTheGeneratedConfigMapWithProductionDurability() {
    Job job = Kube.typed(Kube.find(BASE, "Job", "create-topics"), Job.class);
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("apache/kafka:" + Repo.pomProperty("kafka.version"), c.getImage());
    assertEquals(List.of("/bin/bash", "/scripts/create-topics.sh"), c.getCommand());
    String generated = Kube.kustomization(Kube.BASE).path("configMapGenerator").get(0).path("name").asText();
    assertEquals(generated, job.getSpec().getTemplate().getSpec().getVolumes().get(0).getConfigMap().getName());
    assertEquals("3", env(c, "REPLICATION_FACTOR"));
    assertEquals("2", env(c, "MIN_INSYNC_REPLICAS"));
    assertEquals("worker-config", c.getEnv().stream().filter(e -> e.getName().equals("KAFKA_BOOTSTRAP"))
        .findFirst().orElseThrow().getValueFrom().getConfigMapKeyRef().getName());
    assertNotNull(job.getSpec().getTtlSecondsAfterFinished(), "a finished Job goes away, so the next apply recreates it");
  }

  @Test
  void topicScriptCreatesExactlyTheTopicsTheCodeUses() {
    // Topic names are the dotted constants; Topics also holds record-header names (shadowfleet-type).
    Set<String> code = new TreeSet<>(Repo.stringConstants("common/src/main/java/dev/shadowfleet/common/message/Topics.java")
        .values().stream().filter(v -> v.startsWith("shadowfleet.")).toList());
    String script = Repo.read("deploy/k8s/base/create-topics.sh");
    Set<String> created = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^ensure (\\S+) ").matcher(script);
    while (m.find()) {
      created.add(m.group(1));
    }
    assertEquals(code, created);
    assertTrue(script.contains("ensure shadowfleet.sweeps 3 --config cleanup.policy=compact"), "sweeps is compacted");
    assertTrue(script.contains("unclean.leader.election.enable=false"));
  }

  @Test
  void scaledObjectScalesTheWorkersOnTheJobsTopicsLagWithinThePartitionCount() {
    JsonNode so = Kube.find(BASE, "ScaledObject", "worker");
    JsonNode spec = so.path("spec");
    assertEquals(Set.of("scaleTargetRef", "pollingInterval", "cooldownPeriod", "minReplicaCount",
        "maxReplicaCount", "advanced", "triggers"), fieldNames(spec), "ScaledObject spec fields");
    assertEquals("worker", spec.path("scaleTargetRef").path("name").asText());
    deployment("worker");

    int min = spec.path("minReplicaCount").asInt(-1);
    int max = spec.path("maxReplicaCount").asInt(-1);
    Job job = Kube.typed(Kube.find(BASE, "Job", "create-topics"), Job.class);
    int partitions = Integer.parseInt(env(job.getSpec().getTemplate().getSpec().getContainers().get(0), "JOBS_PARTITIONS"));
    assertTrue(min >= 1 && min <= max, "1 ≤ min ≤ max: " + min + ", " + max);
    assertTrue(max <= partitions, "KEDA never scales past the partitions: max " + max + " > " + partitions);
    assertTrue(partitions >= 2 * max, "jobs partitions ≥ 2 × max workers: " + partitions + " vs " + max);
    assertTrue(spec.path("cooldownPeriod").asInt() > 0, "cooldownPeriod");
    assertTrue(spec.path("pollingInterval").asInt() > 0, "pollingInterval");
    JsonNode behavior = spec.path("advanced").path("horizontalPodAutoscalerConfig").path("behavior");
    assertTrue(behavior.path("scaleDown").path("stabilizationWindowSeconds").asInt() >= 300,
        "a scale-down stabilisation window");

    assertEquals(1, spec.path("triggers").size());
    JsonNode trigger = spec.path("triggers").get(0);
    assertEquals("kafka", trigger.path("type").asText());
    JsonNode md = trigger.path("metadata");
    Map<String, String> workerCfg = configMap("worker-config");
    String jobsTopic = Repo.stringConstants("common/src/main/java/dev/shadowfleet/common/message/Topics.java").get("JOBS");
    assertEquals(jobsTopic, md.path("topic").asText(), "topic named explicitly");
    assertEquals(workerCfg.get("SHADOWFLEET_GROUP_ID"), md.path("consumerGroup").asText());
    assertEquals(workerCfg.get("SHADOWFLEET_KAFKA_BOOTSTRAP"), md.path("bootstrapServers").asText());
    assertEquals(ConfigKeys.workerAutoOffsetReset(), md.path("offsetResetPolicy").asText(),
        "offsetResetPolicy must equal the worker consumer's auto.offset.reset");
    assertTrue(Integer.parseInt(md.path("lagThreshold").asText()) > 0, "lagThreshold");
    // KEDA reads metadata values as strings.
    md.fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), "trigger metadata " + e.getKey() + " must be a string"));
    // The coordinator talks to the same cluster.
    assertEquals(workerCfg.get("SHADOWFLEET_KAFKA_BOOTSTRAP"), configMap("coordinator-config").get("SHADOWFLEET_KAFKA_BOOTSTRAP"));
  }

  // ---- overlays ---------------------------------------------------------------------------------------------

  @Test
  void overlayFilesAddTheGpuOnlyInTheGpuOverlay() {
    String cpu = Repo.read("deploy/k8s/overlays/cpu/kustomization.yaml");
    assertFalse(cpu.contains("nvidia"), "the CPU overlay asks for no GPU");
    assertFalse(Repo.read("deploy/k8s/base/worker-deployment.yaml").contains("nvidia"), "the base asks for no GPU");
    JsonNode patch = Repo.yamlDocuments(Kube.GPU.resolve("worker-gpu.yaml")).get(0);
    JsonNode limits = patch.path("spec").path("template").path("spec").path("containers").get(0).path("resources").path("limits");
    assertEquals(1, limits.path("nvidia.com/gpu").asInt());
  }

  @Test
  void renderedOverlaysDifferOnlyInTheWorkerAndOnlyTheGpuOneRequestsAGpu() {
    var cpuText = Kube.kustomize(Kube.CPU);
    assumeTrue(cpuText.isPresent(), "kubectl is not installed: the rendered overlays are not checked");
    List<JsonNode> cpu = Repo.yamlDocuments(cpuText.get());
    List<JsonNode> gpu = Repo.yamlDocuments(Kube.kustomize(Kube.GPU).orElseThrow());
    List<JsonNode> base = Repo.yamlDocuments(Kube.kustomize(Kube.BASE).orElseThrow());
    for (List<JsonNode> rendered : List.of(base, cpu, gpu)) {
      assertEquals(BASE.size() + 1, rendered.size(), "the base objects + the generated ConfigMap");
      rendered.stream().filter(d -> !Kube.CUSTOM.contains(Kube.typeOf(d))).forEach(Kube::typed);
      rendered.forEach(d -> assertEquals("shadowfleet",
          d.path("kind").asText().equals("Namespace") ? d.path("metadata").path("name").asText()
              : d.path("metadata").path("namespace").asText(), "namespace of " + Kube.typeOf(d)));
    }
    // Everything but the worker Deployment is the same in both overlays.
    Map<String, JsonNode> cpuByName = byKindAndName(cpu);
    Map<String, JsonNode> gpuByName = byKindAndName(gpu);
    assertEquals(cpuByName.keySet(), gpuByName.keySet());
    for (String key : cpuByName.keySet()) {
      if (!key.equals("Deployment/worker")) {
        assertEquals(cpuByName.get(key), gpuByName.get(key), key + " differs between the overlays");
      }
    }
    assertFalse(cpuText.get().contains("nvidia.com/gpu"), "no GPU anywhere in the CPU overlay");

    Container cpuWorker = worker(cpuByName);
    Container gpuWorker = worker(gpuByName);
    assertEquals("shadowfleet/worker:0.1.0", cpuWorker.getImage());
    assertEquals("shadowfleet/worker-cuda:0.1.0", gpuWorker.getImage());
    assertEquals(new Quantity("1"), gpuWorker.getResources().getLimits().get("nvidia.com/gpu"));
    assertNull(cpuWorker.getResources().getLimits().get("nvidia.com/gpu"));
    assertEquals("gpu", env(gpuWorker, "SHADOWFLEET_DEVICE"));
    assertEquals(1, gpuWorker.getEnv().stream().filter(e -> e.getName().equals("SHADOWFLEET_DEVICE")).count(),
        "the patch replaces the device, it does not add a second one");
    var gpuPod = Kube.typed(gpuByName.get("Deployment/worker"), Deployment.class).getSpec().getTemplate().getSpec();
    assertEquals("true", gpuPod.getNodeSelector().get("nvidia.com/gpu.present"));
    assertTrue(gpuPod.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())));
    // The GPU worker keeps the base's probes, grace period and security settings.
    assertEquals(cpuWorker.getLivenessProbe(), gpuWorker.getLivenessProbe());
    assertEquals(cpuWorker.getReadinessProbe(), gpuWorker.getReadinessProbe());
    assertEquals(Kube.typed(cpuByName.get("Deployment/worker"), Deployment.class).getSpec().getTemplate().getSpec()
        .getTerminationGracePeriodSeconds(), gpuPod.getTerminationGracePeriodSeconds());
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private static Deployment deployment(String name) {
    return Kube.typed(Kube.find(BASE, "Deployment", name), Deployment.class);
  }

  private static Map<String, String> configMap(String name) {
    return Kube.typed(Kube.find(BASE, "ConfigMap", name), ConfigMap.class).getData();
  }

  private static Container worker(Map<String, JsonNode> byName) {
    return Kube.typed(byName.get("Deployment/worker"), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Map<String, JsonNode> byKindAndName(List<JsonNode> docs) {
    Map<String, JsonNode> out = new HashMap<>();
    docs.forEach(d -> out.put(d.path("kind").asText() + "/" + d.path("metadata").path("name").asText(), d));
    return out;
  }

  private static boolean declaresPort(Container c, IntOrString port) {
    return c.getPorts().stream().anyMatch(p -> port.getStrVal() != null
        ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort()));
  }

  private static int namedPort(Container c, String name) {
    return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst().orElseThrow().getContainerPort();
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .map(EnvVar::getValue).orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  /** Names from env and from the ConfigMaps/Secrets envFrom pulls in (which must exist in the base). */
  private static Set<String> allEnvNames(Container c) {
    Set<String> names = new TreeSet<>();
    c.getEnv().forEach(e -> names.add(e.getName()));
    for (EnvFromSource from : c.getEnvFrom()) {
      if (from.getConfigMapRef() != null) {
        names.addAll(configMap(from.getConfigMapRef().getName()).keySet());
      }
      if (from.getSecretRef() != null) {
        names.addAll(Kube.typed(Kube.find(BASE, "Secret", from.getSecretRef().getName()), Secret.class).getStringData().keySet());
      }
    }
    return names;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

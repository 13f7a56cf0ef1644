package dev.shadowfleet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes objects: typed reading through the fabric8 models (the API's own field names and types),
 * with every field the model does not know reported (fabric8 keeps unknown fields in {@code
 * additionalProperties}; a typo such as {@code readinesProbe} lands there), and {@code kubectl
 * kustomize} when the machine has kubectl.
 */
final class Kube {
  static final Path BASE = Repo.path("deploy/k8s/base");
  static final Path CPU = Repo.path("deploy/k8s/overlays/cpu");
  static final Path GPU = Repo.path("deploy/k8s/overlays/gpu");

  private static final Map<String, Class<?>> TYPES =
      Map.of(
          "v1/Namespace", Namespace.class,
          "v1/ConfigMap", ConfigMap.class,
          "v1/Secret", Secret.class,
          "v1/Service", Service.class,
          "apps/v1/Deployment", Deployment.class,
          "batch/v1/Job", Job.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

  /** Custom resources, checked field by field in the tests (no model on the classpath). */
  static final List<String> CUSTOM = List.of("keda.sh/v1alpha1/ScaledObject");

  private Kube() {}

  static String typeOf(JsonNode doc) {
    return doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
  }

  static boolean known(JsonNode doc) {
    return TYPES.containsKey(typeOf(doc)) || CUSTOM.contains(typeOf(doc));
  }

  /** The typed object, or an exception naming the fields the API does not have. */
  static <T> T typed(JsonNode doc, Class<T> type) {
    Object o = typed(doc);
    if (!type.isInstance(o)) {
      throw new AssertionError(typeOf(doc) + " is not a " + type.getSimpleName());
    }
    return type.cast(o);
  }

  static Object typed(JsonNode doc) {
    Class<?> type = TYPES.get(typeOf(doc));
    if (type == null) {
      throw new AssertionError("no model for " + typeOf(doc));
    }
    Object o;
    try {
      o = Repo.YAML.treeToValue(doc, type);
    } catch (IOException e) {
      throw new AssertionError(typeOf(doc) + " " + doc.path("metadata").path("name").asText() + ": " + e.getMessage(), e);
    }
    List<String> unknown = new ArrayList<>();
    unknownFields(o, doc.path("kind").asText(), unknown);
    if (!unknown.isEmpty()) {
      throw new AssertionError(typeOf(doc) + " " + doc.path("metadata").path("name").asText()
          + " has fields the Kubernetes API does not know: " + unknown);
    }
    return o;
  }

  /** Walks the fabric8 model graph and collects non-empty additionalProperties with their path. */
  private static void unknownFields(Object o, String path, List<String> out) {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", out);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method g : o.getClass().getMethods()) {
      if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers())
          || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
        continue;
      }
      Object v;
      try {
        v = g.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      String field = Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4);
      if (field.equals("additionalProperties")) {
        if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> out.add(path + "." + k));
        }
      } else {
        unknownFields(v, path + "." + field, out);
      }
    }
  }

  /** All documents of the YAML files a kustomization lists under {@code resources} (files only). */
  static List<JsonNode> resources(Path kustomizationDir) {
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode r : kustomization(kustomizationDir).path("resources")) {
      Path p = kustomizationDir.resolve(r.asText()).normalize();
      if (Files.isRegularFile(p)) {
        docs.addAll(Repo.yamlDocuments(p));
      }
    }
    return docs;
  }

  static JsonNode kustomization(Path dir) {
    return Repo.yamlDocuments(dir.resolve("kustomization.yaml")).get(0);
  }

  static JsonNode find(List<JsonNode> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** {@code kubectl kustomize DIR}, or empty when kubectl is not installed. */
  static Optional<String> kustomize(Path dir) {
    Process p;
    try {
      p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
    } catch (IOException e) {
      return Optional.empty();
    }
    try {
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl kustomize " + dir + " did not finish");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("kubectl kustomize " + Repo.ROOT.relativize(dir) + " failed: "
            + new String(err, StandardCharsets.UTF_8));
      }
      return Optional.of(new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}

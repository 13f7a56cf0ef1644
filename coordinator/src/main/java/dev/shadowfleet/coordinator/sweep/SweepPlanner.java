package dev.shadowfleet.coordinator.sweep;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.coordinator.api.ApiException;
import dev.shadowfleet.coordinator.api.SweepRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks a sweep request field by field, before anything is stored, and turns it into a {@link
 * SweepSpec}. Every refusal names the field: {@code dataset}, {@code datasetSize}, {@code
 * images.from}, {@code images[3]}, {@code models[1]}, {@code targets[0]}, {@code preset}, {@code
 * overrides.lambdaTv}, {@code smoothing.n}, {@code ibp.beta}, {@code priority}.
 *
 * <p>Left to the worker (it has the data): a target equal to the image's label, and the indices of
 * datasets the coordinator does not know.
 */
@ApplicationScoped
public class SweepPlanner {
  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  private final CoordinatorConfig config;

  public SweepPlanner(CoordinatorConfig config) {
    this.config = config;
  }

  /** The validated spec; {@code models} resolves an id to its registered model (or empty). */
  public SweepSpec plan(SweepRequest r, Function<String, Optional<ModelEntity>> models) {
    if (r == null) {
      throw ApiException.badRequest("$", "a JSON body is required");
    }
    String dataset = requireText("dataset", r.dataset());
    String scheme = DatasetCatalog.scheme(dataset).orElse("");
    if (!DatasetCatalog.SCHEMES.contains(scheme)) {
      throw ApiException.badRequest(
          "dataset", "`dataset` must start with one of " + new TreeSet<>(DatasetCatalog.SCHEMES) + ":, got " + dataset);
    }
    DatasetCatalog.problem(dataset, config.sweep().datasetRoots().orElse(List.of())).ifPresent(problem -> {
      throw ApiException.badRequest("dataset", "`dataset` " + problem);
    });
    Optional<DatasetCatalog.Known> known = DatasetCatalog.lookup(dataset);
    long size = datasetSize(r, known);

    List<ModelEntity> resolved = models(r.models(), models);
    int numClasses = numClasses(resolved, known);
    if (known.isPresent()) {
      for (int i = 0; i < resolved.size(); i++) {
        ModelEntity m = resolved.get(i);
        if (m.channels != known.get().channels()) {
          throw ApiException.badRequest(
              "models[" + i + "]",
              "model " + m.id + " takes " + m.channels + "-channel images; " + dataset + " has "
                  + known.get().channels());
        }
      }
    }

    Integer from = null;
    Integer to = null;
    List<Integer> list = null;
    JsonNode images = r.images();
    if (images == null || images.isNull()) {
      throw ApiException.badRequest("images", "`images` is required: {\"from\": a, \"to\": b} or a list of indices");
    } else if (images.isObject()) {
      from = intField(images, "from", 0, size - 1, size);
      to = intField(images, "to", 1, size, size);
      Set<String> names = new HashSet<>();
      images.fieldNames().forEachRemaining(names::add);
      names.removeAll(Set.of("from", "to"));
      if (!names.isEmpty()) {
        throw ApiException.badRequest("images." + names.iterator().next(), "`images` takes only `from` and `to`");
      }
      if (from >= to) {
        throw ApiException.badRequest("images.to", "`images.to` must be > `images.from` (" + from + "), got " + to);
      }
    } else if (images.isArray()) {
      list = imageList(images, size);
    } else {
      throw ApiException.badRequest("images", "`images` must be {\"from\": a, \"to\": b} or a list of indices");
    }

    List<Integer> targets = targets(r.targets(), numClasses);
    AttackPreset preset = AttackPreset.byId(requireText("preset", r.preset()));
    AttackParams params = prefixed("overrides.", () -> preset.resolve(r.overrides()));
    for (ModelEntity m : resolved) {
      prefixed(
          "overrides.",
          () -> {
            params.checkAgainstModel(m.channels, m.sigma, m.epsilon);
            return null;
          });
    }
    SmoothingParams smoothing = convert("smoothing", r.smoothing(), SmoothingParams.class, SmoothingParams.PAPER);
    IbpParams ibp = convert("ibp", r.ibp(), IbpParams.class, IbpParams.DEFAULT);
    int priority = r.priority() == null ? 0 : r.priority();
    if (priority < -100 || priority > 100) {
      throw ApiException.badRequest("priority", "`priority` must be in [-100, 100], got " + priority);
    }

    long imageCount = list != null ? list.size() : (long) to - from;
    long jobs = imageCount * resolved.size() * targets.size();
    if (jobs > config.sweep().maxJobs()) {
      throw ApiException.badRequest(
          "images",
          "the sweep has " + imageCount + " images × " + resolved.size() + " models × " + targets.size()
              + " targets = " + jobs + " jobs, more than the limit of " + config.sweep().maxJobs()
              + "; split it into several sweeps");
    }
    return new SweepSpec(
        dataset, size, from, to, list, resolved.stream().map(m -> m.id).toList(), targets, preset.id(),
        r.overrides() == null ? Map.of() : r.overrides(), smoothing, ibp, priority,
        r.seed() == null ? 0L : r.seed());
  }

  private static long datasetSize(SweepRequest r, Optional<DatasetCatalog.Known> known) {
    if (known.isPresent()) {
      if (r.datasetSize() != null && r.datasetSize() != known.get().size()) {
        throw ApiException.badRequest(
            "datasetSize",
            "`datasetSize` " + r.datasetSize() + " contradicts " + r.dataset() + " (" + known.get().size()
                + " images); leave it out");
      }
      return known.get().size();
    }
    if (r.datasetSize() == null) {
      throw ApiException.badRequest(
          "datasetSize", "`datasetSize` is required for " + r.dataset() + " (the coordinator does not know its size)");
    }
    if (r.datasetSize() < 1 || r.datasetSize() > Integer.MAX_VALUE) {
      throw ApiException.badRequest("datasetSize", "`datasetSize` must be in [1, 2147483647], got " + r.datasetSize());
    }
    return r.datasetSize();
  }

  private List<ModelEntity> models(List<String> ids, Function<String, Optional<ModelEntity>> lookup) {
    if (ids == null || ids.isEmpty()) {
      throw ApiException.badRequest("models", "`models` must list at least one registered model id");
    }
    if (ids.size() > config.sweep().maxModels()) {
      throw ApiException.badRequest(
          "models", "`models` may list at most " + config.sweep().maxModels() + " models, got " + ids.size());
    }
    List<ModelEntity> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      String field = "models[" + i + "]";
      if (id == null || id.isBlank()) {
        throw ApiException.badRequest(field, "`" + field + "` is empty");
      }
      if (!seen.add(id)) {
        throw ApiException.badRequest(field, "`" + field + "` repeats model " + id);
      }
      if (!ModelService.ID.matcher(id).matches()) {
        throw ApiException.badRequest(field, "`" + field + "`: no registered model " + (id.length() > 80 ? id.substring(0, 80) + "…" : id)
            + " (ids match " + ModelService.ID.pattern() + ")");
      }
      out.add(lookup.apply(id).orElseThrow(
          () -> ApiException.badRequest(field, "`" + field + "`: no registered model " + id)));
    }
    return out;
  }

  private static int numClasses(List<ModelEntity> models, Optional<DatasetCatalog.Known> known) {
    int classes = known.map(DatasetCatalog.Known::numClasses).orElse(models.get(0).numClasses);
    for (int i = 0; i < models.size(); i++) {
      if (models.get(i).numClasses != classes) {
        throw ApiException.badRequest(
            "models[" + i + "]",
            "model " + models.get(i).id + " has " + models.get(i).numClasses + " classes, the sweep has " + classes);
      }
    }
    return classes;
  }

  private static int intField(JsonNode images, String name, long min, long max, long size) {
    JsonNode v = images.get(name);
    String field = "images." + name;
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.badRequest(field, "`" + field + "` is required (an integer)");
    }
    int x = v.intValue();
    if (x < min || x > max) {
      throw ApiException.badRequest(
          field, "`" + field + "` must be in [" + min + ", " + max + "] (the dataset has " + size + " images), got " + x);
    }
    return x;
  }

  private List<Integer> imageList(JsonNode images, long size) {
    if (images.isEmpty()) {
      throw ApiException.badRequest("images", "`images` must list at least one index");
    }
    if (images.size() > config.sweep().maxImageList()) {
      throw ApiException.badRequest(
          "images", "`images` may list at most " + config.sweep().maxImageList() + " indices (use a range), got " + images.size());
    }
    List<Integer> out = new ArrayList<>(images.size());
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < images.size(); i++) {
      JsonNode v = images.get(i);
      String field = "images[" + i + "]";
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= size) {
        throw ApiException.badRequest(field, "`" + field + "` must be an index in [0, " + (size - 1) + "], got " + v);
      }
      if (!seen.add(v.intValue())) {
        throw ApiException.badRequest(field, "`" + field + "` repeats image " + v.intValue());
      }
      out.add(v.intValue());
    }
    return out;
  }

  private static List<Integer> targets(JsonNode targets, int numClasses) {
    if (targets == null || targets.isNull()) {
      throw ApiException.badRequest("targets", "`targets` is required: \"all\" or a list of classes");
    }
    if (targets.isTextual()) {
      if (!targets.textValue().equals("all")) {
        throw ApiException.badRequest("targets", "`targets` must be \"all\" or a list of classes, got " + targets);
      }
      List<Integer> all = new ArrayList<>();
      for (int c = 0; c < numClasses; c++) {
        all.add(c);
      }
      return all;
    }
    if (!targets.isArray() || targets.isEmpty()) {
      throw ApiException.badRequest("targets", "`targets` must be \"all\" or a non-empty list of classes");
    }
    TreeSet<Integer> out = new TreeSet<>();
    for (int i = 0; i < targets.size(); i++) {
      JsonNode v = targets.get(i);
      String field = "targets[" + i + "]";
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= numClasses) {
        throw ApiException.badRequest(field, "`" + field + "` must be a class in [0, " + (numClasses - 1) + "], got " + v);
      }
      if (!out.add(v.intValue())) {
        throw ApiException.badRequest(field, "`" + field + "` repeats class " + v.intValue());
      }
    }
    return List.copyOf(out);
  }

  private static <T> T convert(String field, JsonNode node, Class<T> type, T fallback) {
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(field, "`" + field + "` must be an object");
    }
    try {
      return STRICT.treeToValue(node, type);
    } catch (Exception e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof ParameterException pe) {
          throw pe.prefixed(field + ".");
        }
      }
      if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
        String name = m.getPath().get(0).getFieldName();
        String f = field + "." + name;
        throw ApiException.badRequest(f, "`" + f + "` is missing, unknown or has the wrong type");
      }
      throw ApiException.badRequest(field, "`" + field + "` is invalid: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static <T> T prefixed(String prefix, java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (ParameterException e) {
      throw e.prefixed(prefix);
    }
  }

  private static String requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field, "`" + field + "` is required");
    }
    return value;
  }
}

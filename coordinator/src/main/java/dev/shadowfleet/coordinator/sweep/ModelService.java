package dev.shadowfleet.coordinator.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowfleet.coordinator.api.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Registers model cards. The coordinator never reads model files: it stores the card and the
 * checksum, and every job carries the checksum so a worker refuses a file that differs.
 */
@ApplicationScoped
public class ModelService {
  /** Ids travel in job ids and Kafka keys ({@code sweep/model/image/target}): no '/' and no spaces. */
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** A model file name: no directory part, no leading dot (workers resolve it next to the card). */
  private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  private final ModelRepository models;

  public ModelService(ModelRepository models) {
    this.models = models;
  }

  /** The stored model, and whether this call created it. */
  public record Registered(ModelEntity model, boolean created) {}

  /** Stores the card; registering the same id and checksum again returns the stored model. */
  @Transactional
  public Registered register(JsonNode card, String sha256) {
    if (card == null || !card.isObject()) {
      throw ApiException.badRequest("card", "`card` must be the model card (a JSON object)");
    }
    if (sha256 == null || !SHA256.matcher(sha256.toLowerCase(Locale.ROOT)).matches()) {
      throw ApiException.badRequest("sha256", "`sha256` must be 64 hex digits, got " + sha256);
    }
    String sha = sha256.toLowerCase(Locale.ROOT);
    rejectUnstorable(card, "card");
    String id = text(card, "id");
    if (!ID.matcher(id).matches()) {
      throw ApiException.badRequest("card.id", "`card.id` must match " + ID.pattern() + ", got " + id);
    }
    JsonNode file = card.get("file");
    if (file != null && !file.isNull() && (!file.isTextual() || !FILE.matcher(file.asText()).matches())) {
      throw ApiException.badRequest("card.file", "`card.file` must be a plain file name next to the card (no directories), got " + file);
    }
    JsonNode cardSha = card.get("sha256");
    if (cardSha != null && !cardSha.isNull() && !sha.equalsIgnoreCase(cardSha.asText())) {
      throw ApiException.badRequest("sha256", "`sha256` differs from the card's sha256 " + cardSha.asText());
    }
    JsonNode kind = card.get("kind");
    if (kind == null || !kind.isObject()) {
      throw ApiException.badRequest("card.kind", "`card.kind` is required: {\"type\": \"smoothed\", \"sigma\": …} or {\"type\": \"ibp\", \"epsilon\": …}");
    }
    String type = text(kind, "type", "card.kind.type");
    ModelEntity m = new ModelEntity();
    m.id = id;
    m.sha256 = sha;
    m.card = card.toString();
    if (type.equals(ModelEntity.SMOOTHED)) {
      m.kind = ModelEntity.SMOOTHED;
      m.sigma = positive(kind, "sigma", Double.MAX_VALUE);
      requireAbsent(kind, "epsilon");
    } else if (type.equals(ModelEntity.IBP)) {
      m.kind = ModelEntity.IBP;
      m.epsilon = positive(kind, "epsilon", 1.0);
      requireAbsent(kind, "sigma");
    } else {
      throw ApiException.badRequest("card.kind.type", "`card.kind.type` must be smoothed or ibp, got " + type);
    }
    JsonNode shape = card.get("inputShape");
    if (shape == null || !shape.isArray() || shape.size() != 3 || !shape.get(0).canConvertToInt() || shape.get(0).intValue() < 1) {
      throw ApiException.badRequest("card.inputShape", "`card.inputShape` must be [C, H, W], got " + shape);
    }
    m.channels = shape.get(0).intValue();
    JsonNode classes = card.get("classNames");
    if (classes == null || !classes.isArray() || classes.size() < 2) {
      throw ApiException.badRequest("card.classNames", "`card.classNames` must name at least 2 classes");
    }
    m.numClasses = classes.size();

    ModelEntity existing = models.findById(id);
    if (existing != null) {
      if (existing.sha256.trim().equals(sha)) {
        return new Registered(existing, false);
      }
      throw ApiException.conflict("card.id", "model " + id + " is registered with another checksum; register a new id");
    }
    models.persist(m);
    models.flush();
    models.getEntityManager().refresh(m);
    return new Registered(m, true);
  }

  public List<ModelEntity> list() {
    return models.listAll(io.quarkus.panache.common.Sort.by("id"));
  }

  /**
   * Refuses a card holding U+0000 in a key or string (PostgreSQL's jsonb cannot store it) or text with
   * other control characters in keys; names the first such field.
   */
  private static void rejectUnstorable(JsonNode node, String path) {
    if (node.isTextual() && node.textValue().indexOf('\u0000') >= 0) {
      throw ApiException.badRequest(path, "`" + path + "` must not contain the NUL character");
    }
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        String child = path + "." + f.getKey();
        if (dev.shadowfleet.coordinator.api.ControlCharacterFilter.hasControl(f.getKey())) {
          throw ApiException.badRequest(path, "`" + path + "` has a key with control characters");
        }
        rejectUnstorable(f.getValue(), child);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        rejectUnstorable(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static String text(JsonNode node, String name) {
    return text(node, name, "card." + name);
  }

  private static String text(JsonNode node, String name, String field) {
    JsonNode v = node.get(name);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw ApiException.badRequest(field, "`" + field + "` is required (a string)");
    }
    return v.asText();
  }

  private static double positive(JsonNode kind, String name, double below) {
    JsonNode v = kind.get(name);
    String field = "card.kind." + name;
    if (v == null || !v.isNumber() || !(v.doubleValue() > 0) || !(v.doubleValue() < below)) {
      throw ApiException.badRequest(field, "`" + field + "` must be a number in (0, " + (below == 1.0 ? "1" : "∞") + "), got " + v);
    }
    return v.doubleValue();
  }

  private static void requireAbsent(JsonNode kind, String name) {
    JsonNode v = kind.get(name);
    if (v != null && !v.isNull()) {
      throw ApiException.badRequest("card.kind." + name, "`card.kind." + name + "` does not apply to this kind of model");
    }
  }
}

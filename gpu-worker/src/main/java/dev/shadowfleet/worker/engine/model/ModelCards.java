package dev.shadowfleet.worker.engine.model;

import static dev.shadowfleet.common.config.ParameterException.require;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.shadowfleet.common.config.ParameterException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads, writes and validates {@link ModelCard}s (JSON). Validation refuses, never skips: an unknown
 * field or layer type, shapes that do not chain, a normalization whose length is not C, no class
 * names. Every refusal is a {@link ParameterException} naming the field, e.g. {@code layers[2].in}.
 */
public final class ModelCards {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          // records only: helpers such as ModelKind.isIbp() are not card fields
          .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE);
  private static final Set<String> FORMATS = Set.of(ModelCard.SEQUENTIAL, ModelCard.TORCHSCRIPT);
  private static final Set<String> LAYER_TYPES =
      Set.of(LayerSpec.CONV2D, LayerSpec.LINEAR, LayerSpec.RELU, LayerSpec.FLATTEN);

  private ModelCards() {}

  /** Reads and validates the card at {@code path}; any failure is a {@link ModelException} naming it. */
  public static ModelCard read(Path path) {
    ModelCard card;
    try {
      card = JSON.readValue(path.toFile(), ModelCard.class);
    } catch (NoSuchFileException e) {
      throw new ModelException("model card " + path + " does not exist");
    } catch (UnrecognizedPropertyException e) {
      throw new ModelException(
          "model card " + path + ": unknown field `" + fieldPath(e) + "` (refused, not skipped)", e);
    } catch (ValueInstantiationException e) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage();
      throw new ModelException("model card " + path + ": `" + fieldPath(e) + "`: " + reason, e);
    } catch (JacksonException e) {
      throw new ModelException(
          "model card " + path + ": not a valid card at `" + fieldPath(e) + "`: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      if (!Files.exists(path)) {
        throw new ModelException("model card " + path + " does not exist");
      }
      throw new ModelException("model card " + path + " cannot be read: " + e.getMessage(), e);
    }
    try {
      validate(card);
    } catch (ParameterException e) {
      throw new ModelException("model card " + path + ": " + e.getMessage(), e);
    }
    return card;
  }

  /** Writes {@code card} as indented JSON (validated first). */
  public static void write(Path path, ModelCard card) {
    validate(card);
    try {
      JSON.writeValue(path.toFile(), card);
    } catch (IOException e) {
      throw new ModelException("cannot write model card " + path + ": " + e.getMessage(), e);
    }
  }

  /** The card as JSON text. */
  public static String toJson(ModelCard card) {
    try {
      return JSON.writeValueAsString(card);
    } catch (IOException e) {
      throw new ModelException("cannot encode model card " + card.id(), e);
    }
  }

  /**
   * Checks the card on its own (files are checked when loading).
   *
   * @throws ParameterException naming the first offending field
   */
  public static void validate(ModelCard card) {
    require(card.id() != null && card.id().matches("[A-Za-z0-9][A-Za-z0-9._-]*"), "id",
        "a non-empty name of letters, digits, '.', '_' or '-'", card.id());
    require(card.format() != null && FORMATS.contains(card.format()), "format",
        "one of " + FORMATS, card.format());
    require(card.file() != null && !card.file().isBlank(), "file", "a file name next to the card", card.file());
    require(card.sha256() != null && card.sha256().matches("[0-9a-f]{64}"), "sha256",
        "64 lower-case hex digits", card.sha256());
    List<Integer> shape = card.inputShape();
    require(shape != null && shape.size() == 3 && shape.stream().allMatch(d -> d != null && d > 0),
        "inputShape", "[C, H, W] with positive entries", shape);
    int c = shape.get(0);
    require(card.mean() != null && card.mean().size() == c, "mean", "a list of C=" + c + " values", card.mean());
    require(card.std() != null && card.std().size() == c, "std", "a list of C=" + c + " values", card.std());
    for (int i = 0; i < c; i++) {
      require(card.mean().get(i) != null && Double.isFinite(card.mean().get(i)), "mean[" + i + "]",
          "finite", card.mean().get(i));
      require(card.std().get(i) != null && card.std().get(i) > 0 && Double.isFinite(card.std().get(i)),
          "std[" + i + "]", "> 0", card.std().get(i));
    }
    require(card.classNames() != null && !card.classNames().isEmpty(), "classNames", "non-empty",
        card.classNames());
    require(card.kind() != null, "kind", "smoothed(sigma) or ibp(epsilon)", card.kind());
    if (card.layers() != null) {
      validateLayers(card);
    } else {
      require(!ModelCard.SEQUENTIAL.equals(card.format()), "layers", "present for format sequential", null);
      require(!card.kind().isIbp(), "layers", "present for an ibp model (the bound engine walks them)", null);
    }
  }

  /** Walks the input shape through the layers: every layer's input must match what comes in. */
  private static void validateLayers(ModelCard card) {
    List<LayerSpec> layers = card.layers();
    require(!layers.isEmpty(), "layers", "non-empty", layers);
    long[] shape = {card.inputShape().get(0), card.inputShape().get(1), card.inputShape().get(2)};
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec l = layers.get(i);
      String f = "layers[" + i + "]";
      require(l != null, f, "a layer", null);
      require(l.type() != null && LAYER_TYPES.contains(l.type()), f + ".type",
          "one of " + LAYER_TYPES + " (the bound engine handles no other; refused, not skipped)", l.type());
      switch (l.type()) {
        case LayerSpec.CONV2D -> {
          require(shape.length == 3, f, "after an image-shaped layer (conv2d needs C×H×W input)", "a flat input");
          require(l.in() != null && l.in() == shape[0], f + ".in", "the incoming channels " + shape[0], l.in());
          require(l.out() != null && l.out() > 0, f + ".out", "> 0", l.out());
          require(l.kernel() != null && l.kernel() > 0, f + ".kernel", "> 0", l.kernel());
          require(l.stride() != null && l.stride() > 0, f + ".stride", "> 0", l.stride());
          require(l.padding() != null && l.padding() >= 0, f + ".padding", ">= 0", l.padding());
          long h = (shape[1] + 2L * l.padding() - l.kernel()) / l.stride() + 1;
          long w = (shape[2] + 2L * l.padding() - l.kernel()) / l.stride() + 1;
          require(h > 0 && w > 0, f + ".kernel", "no larger than the padded input " + shape[1] + "×" + shape[2],
              l.kernel());
          shape = new long[] {l.out(), h, w};
          requireNames(l, f);
        }
        case LayerSpec.LINEAR -> {
          require(shape.length == 1, f, "after flatten (linear needs a flat input)", "an image-shaped input");
          require(l.in() != null && l.in() == shape[0], f + ".in", "the incoming features " + shape[0], l.in());
          require(l.out() != null && l.out() > 0, f + ".out", "> 0", l.out());
          shape = new long[] {l.out()};
          requireNames(l, f);
        }
        case LayerSpec.FLATTEN -> shape = new long[] {shape.length == 3 ? shape[0] * shape[1] * shape[2] : shape[0]};
        default -> { } // relu keeps the shape
      }
      if (!LayerSpec.CONV2D.equals(l.type()) && !LayerSpec.LINEAR.equals(l.type())) {
        require(l.in() == null && l.out() == null && l.kernel() == null && l.weight() == null, f,
            "without sizes or weights (" + l.type() + " has none)", l);
      }
    }
    require(shape.length == 1 && shape[0] == card.numClasses(), "layers",
        "ending in " + card.numClasses() + " outputs (one per class name)",
        shape.length == 1 ? shape[0] + " outputs" : "an image-shaped output");
  }

  private static void requireNames(LayerSpec l, String f) {
    require(l.weight() != null && !l.weight().isBlank(), f + ".weight", "the weight tensor's name", l.weight());
    require(l.bias() != null && !l.bias().isBlank(), f + ".bias", "the bias tensor's name", l.bias());
  }

  /** Lower-case hex SHA-256 of a file. */
  public static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchFileException e) {
      throw new ModelException("model file " + file + " does not exist");
    } catch (IOException e) {
      throw new ModelException("cannot read model file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Refuses {@code file} unless its SHA-256 is {@code expected}. */
  public static void verifySha256(Path file, String expected) {
    String actual = sha256(file);
    if (!actual.equals(expected)) {
      throw new ModelChecksumException(
          "model file " + file + " fails its checksum: the card says sha256 " + expected + ", the file has "
              + actual + " (refused; re-register the model if the file changed on purpose)");
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String fieldPath(JacksonException e) {
    StringBuilder b = new StringBuilder();
    if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException d)) {
      return "(json)";
    }
    for (var ref : d.getPath()) {
      if (ref.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        b.append('[').append(ref.getIndex()).append(']');
      }
    }
    return b.toString();
  }
}

package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A directory of models: {@code <root>/<id>.json} (the card) next to the file it names. Loading checks
 * the file's SHA-256 against the card before anything is read from it (a TorchScript file is code).
 *
 * <p>The root is the system property {@value #DIR_PROPERTY}, else the environment variable {@value
 * #DIR_ENV}, else the first {@code models/} directory found from the working directory upwards (so
 * the repository's bundled models are found from a module directory too), else {@code ./models}.
 */
public final class ModelRegistry {
  public static final String DIR_PROPERTY = "shadowfleet.models.dir";
  public static final String DIR_ENV = "SHADOWFLEET_MODELS_DIR";

  private final Path root;

  public ModelRegistry(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The registry at {@link #defaultRoot()}. */
  public static ModelRegistry fromEnvironment() {
    return new ModelRegistry(defaultRoot());
  }

  /** See the class comment for the lookup order. */
  public static Path defaultRoot() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv(DIR_ENV);
    }
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("models"))) {
        return p.resolve("models");
      }
    }
    return Path.of("models");
  }

  public Path root() {
    return root;
  }

  /** Every card in the root, by id; an invalid card is an error naming it, never skipped. */
  public List<ModelCard> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(root)) {
      List<ModelCard> cards = new ArrayList<>();
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        cards.add(ModelCards.read(p));
      }
      return cards;
    } catch (IOException e) {
      throw new ModelException("cannot list model directory " + root + ": " + e.getMessage(), e);
    }
  }

  /** The card of model {@code id}. */
  public ModelCard card(String id) {
    return ModelCards.read(cardPath(id));
  }

  /**
   * Loads a model by id, by path to its card ({@code .json}), or by path to its file ({@code .pt} or
   * {@code .npz}) with the card next to it (same base name, {@code .json}).
   */
  public LoadedModel load(String ref) {
    Path card = cardPath(ref);
    String name = Path.of(ref).getFileName().toString();
    if (name.endsWith(".pt") || name.endsWith(".npz")) {
      String file = ModelCards.read(card).file();
      if (!name.equals(file)) {
        throw new ModelException("model " + ref + ": its card " + card + " describes file " + file + ", not " + name);
      }
    }
    return loadCard(card);
  }

  /**
   * Checks, without loading anything, that model {@code id} is the file the coordinator registered:
   * its card names {@code expectedSha256} and the file hashes to it. A TorchScript file is code, so
   * this runs before {@link #load} ever opens it.
   *
   * @throws ModelChecksumException naming both checksums when either differs
   */
  public void verify(String id, String expectedSha256) {
    ModelCard card = card(id);
    if (!card.sha256().equalsIgnoreCase(expectedSha256)) {
      throw new ModelChecksumException("model " + id + " is registered with SHA-256 " + expectedSha256
          + ", the card in " + root + " says " + card.sha256() + " (refused, not loaded)");
    }
    ModelCards.verifySha256(cardPath(id).toAbsolutePath().resolveSibling(card.file()), card.sha256());
  }

  /** Where the card for {@code ref} (id or path) is; see {@link #load}. */
  public Path cardPath(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new ModelException("model id is empty");
    }
    Path asPath = Path.of(ref);
    String name = asPath.getFileName().toString();
    if (name.endsWith(".json") || name.endsWith(".pt") || name.endsWith(".npz")) {
      Path card = name.endsWith(".json") ? asPath : asPath.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".json");
      if (!Files.isRegularFile(card)) {
        throw new ModelException("model " + ref + ": no card " + card + " (a model file needs its JSON card next to it)");
      }
      return card;
    }
    Path card = root.resolve(ref + ".json");
    if (!ref.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || !Files.isRegularFile(card)) {
      throw new ModelException("unknown model " + ref + ": no card " + card + " in the model directory " + root);
    }
    return card;
  }

  /** Loads the model whose card is at {@code cardFile} (checksum first). */
  public static LoadedModel loadCard(Path cardFile) {
    ModelCard card = ModelCards.read(cardFile);
    Path file = cardFile.toAbsolutePath().resolveSibling(card.file());
    ModelCards.verifySha256(file, card.sha256());
    NDManager manager = NDManager.newBaseManager();
    try {
      return switch (card.format()) {
        case ModelCard.SEQUENTIAL -> sequential(card, file, manager);
        case ModelCard.TORCHSCRIPT -> torchScript(card, file, manager);
        default -> throw new ModelException("model " + card.id() + ": format " + card.format() + " unsupported");
      };
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static LoadedModel sequential(ModelCard card, Path file, NDManager manager) {
    Map<String, NDArray> weights = NpzWeights.read(file, manager);
    SequentialNetwork network = SequentialNetworks.build(card, weights::get, manager, "weights file " + file);
    Set<String> unused = new HashSet<>(weights.keySet());
    for (LayerSpec l : card.layers()) {
      unused.remove(l.weight());
      unused.remove(l.bias());
    }
    if (!unused.isEmpty()) {
      throw new ModelException("weights file " + file + " has tensors no layer of the card uses: " + unused
          + " (a layer missing from the card would be dropped silently; refused)");
    }
    return new LoadedModel(card, file, manager, network, network);
  }

  private static LoadedModel torchScript(ModelCard card, Path file, NDManager manager) {
    TorchScriptClassifier ts = TorchScriptClassifier.load(card, file, manager);
    Optional<SequentialNetwork> network = ts.toSequential(manager);
    network.ifPresent(n -> checkSame(card, file, ts, n, manager));
    return new LoadedModel(card, file, manager, ts, network.orElse(null));
  }

  /** The card's layer list must compute what the module computes (else bounds would be for another net). */
  private static void checkSame(ModelCard card, Path file, Classifier ts, SequentialNetwork net, NDManager parent) {
    try (NDManager scratch = parent.newSubManager()) {
      List<Integer> s = card.inputShape();
      scratch.getEngine().setRandomSeed(0);
      NDArray x = scratch.randomUniform(0f, 1f, new Shape(2, s.get(0), s.get(1), s.get(2)));
      float diff = ts.logits(x).sub(net.logits(x)).abs().max().getFloat();
      float scale = Math.max(1f, ts.logits(x).abs().max().getFloat());
      if (!(diff <= 1e-4f * scale)) {
        throw new ModelException("TorchScript file " + file + " and the `layers` of card " + card.id()
            + " compute different logits (max difference " + diff + "): the layer list does not describe the module");
      }
    }
  }
}

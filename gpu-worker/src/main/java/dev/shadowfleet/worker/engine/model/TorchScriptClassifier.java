package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A TorchScript module as a {@link Classifier}. Convention: the module takes <em>normalized</em> input;
 * the card's mean/std are applied here first ({@link Layer.Normalize}), so callers always pass pixels in
 * [0,1]. A card with mean 0 and std 1 describes a module that normalizes (or not) by itself.
 *
 * <p>The module runs in eval mode, with autograd on, so gradients reach the input.
 */
public final class TorchScriptClassifier implements Classifier {
  private final ModelCard card;
  private final Layer.Normalize normalize;
  private final PtSymbolBlock block;

  private TorchScriptClassifier(ModelCard card, Layer.Normalize normalize, PtSymbolBlock block) {
    this.card = card;
    this.normalize = normalize;
    this.block = block;
  }

  /**
   * Loads the TorchScript file into {@code manager} (which then owns the native module; close the
   * manager to free it). The file's checksum is the caller's business ({@link ModelRegistry} checks it).
   */
  public static TorchScriptClassifier load(ModelCard card, Path file, NDManager manager) {
    PtSymbolBlock block;
    try {
      block = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], true);
    } catch (RuntimeException e) {
      throw new ModelException("cannot load TorchScript file " + file + ": " + e.getMessage(), e);
    }
    // Loaded as ordinary tensors (loading for inference makes "inference tensors", which autograd
    // refuses to save for backward), then frozen: only the input gets gradients.
    for (Pair<String, Parameter> p : block.getDirectParameters()) {
      p.getValue().getArray().setRequiresGradient(false);
    }
    JniUtils.enableInferenceMode(block);
    return new TorchScriptClassifier(card, SequentialNetworks.normalize(card, manager), block);
  }

  @Override
  public ModelCard card() {
    return card;
  }

  @Override
  public NDArray logits(NDArray pixels) {
    // Block.forward(…, training=false) runs the module under no-grad; the module is in eval mode
    // (set once at load), and running it with the autograd flag on keeps the graph to the input.
    return IValueUtils.forward(block, new NDList(normalize.forward(pixels)), true).singletonOrThrow();
  }

  /** The module's named parameters (e.g. {@code 0.weight}), as PyTorch's {@code named_parameters()}. */
  public Map<String, NDArray> namedParameters() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : block.getDirectParameters()) {
      out.put(p.getKey(), p.getValue().getArray());
    }
    return out;
  }

  /**
   * The same network as a {@link SequentialNetwork} when the card lists its layers, its weights read
   * from the module's parameters by the card's names; empty when the card has no layer list.
   */
  public Optional<SequentialNetwork> toSequential(NDManager manager) {
    if (card.layers() == null) {
      return Optional.empty();
    }
    Map<String, NDArray> params = namedParameters();
    return Optional.of(SequentialNetworks.build(card, params::get, manager, "TorchScript module of " + card.id()));
  }
}

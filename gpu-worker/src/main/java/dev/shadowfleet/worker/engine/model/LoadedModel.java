package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model loaded from the registry: its card, its classifier and, when the card lists its layers, the
 * sequential network the bound engine walks. Owns the {@link NDManager} holding every weight; closing
 * it frees them (the {@link ModelCache} does this on eviction).
 */
public final class LoadedModel implements AutoCloseable {
  private final ModelCard card;
  private final Path file;
  private final NDManager manager;
  private final Classifier classifier;
  private final SequentialNetwork network;

  LoadedModel(ModelCard card, Path file, NDManager manager, Classifier classifier, SequentialNetwork network) {
    this.card = card;
    this.file = file;
    this.manager = manager;
    this.classifier = classifier;
    this.network = network;
  }

  public ModelCard card() {
    return card;
  }

  /** The checked model file (weights or TorchScript). */
  public Path file() {
    return file;
  }

  /** Logits of [0,1] pixels, differentiable with respect to the input. */
  public Classifier classifier() {
    return classifier;
  }

  /**
   * The classifier the attack differentiates: the network as layers when the card lists them, else
   * {@link #classifier()}. For a TorchScript model the layers hold the module's own weights and were
   * checked at load to compute its logits; through them the attack's input gradient takes the
   * engine's fast convolution path ({@link Layer.Conv2d}), which the TorchScript module cannot, and
   * a robust spoofing loss gets the interval bounds it needs. A TorchScript model without a layer
   * list is attacked through the module.
   */
  public Classifier attackClassifier() {
    return network != null ? network : classifier;
  }

  /** The network as layers, when the card lists them (needed for interval bounds). */
  public Optional<SequentialNetwork> network() {
    return Optional.ofNullable(network);
  }

  /** The network as layers, or a clear refusal naming the model (for IBP/CROWN-IBP callers). */
  public SequentialNetwork requireNetwork() {
    if (network == null) {
      throw new ModelException("model " + card.id() + " (" + card.format() + ") has no `layers` in its card:"
          + " interval bounds cannot be computed for it");
    }
    return network;
  }

  /** The manager owning the weights; sub-managers of it suit per-job work. */
  public NDManager manager() {
    return manager;
  }

  public boolean isOpen() {
    return manager.isOpen();
  }

  @Override
  public void close() {
    manager.close();
  }
}

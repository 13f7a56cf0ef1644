package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Builds a {@link SequentialNetwork} from a validated card and named weights, and back. */
public final class SequentialNetworks {
  private SequentialNetworks() {}

  /**
   * The network the card's {@code layers} describe, with weights looked up by name (e.g. from an NPZ
   * file or a TorchScript module's parameters). Every named tensor must exist with the shape the card
   * implies; {@code source} names where they came from in errors.
   */
  public static SequentialNetwork build(
      ModelCard card, Function<String, NDArray> weights, NDManager manager, String source) {
    if (card.layers() == null) {
      throw new ModelException("model " + card.id() + " has no `layers` in its card: it cannot be walked as a"
          + " sequential network (interval bounds need the layer list)");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < card.layers().size(); i++) {
      LayerSpec s = card.layers().get(i);
      layers.add(switch (s.type()) {
        case LayerSpec.CONV2D -> new Layer.Conv2d(
            tensor(weights, s.weight(), new Shape(s.out(), s.in(), s.kernel(), s.kernel()), source, i),
            tensor(weights, s.bias(), new Shape(s.out()), source, i), s.stride(), s.padding());
        case LayerSpec.LINEAR -> new Layer.Linear(
            tensor(weights, s.weight(), new Shape(s.out(), s.in()), source, i),
            tensor(weights, s.bias(), new Shape(s.out()), source, i));
        case LayerSpec.RELU -> new Layer.Relu();
        case LayerSpec.FLATTEN -> new Layer.Flatten();
        default -> throw new ModelException("layers[" + i + "].type " + s.type() + " is not supported");
      });
    }
    return new SequentialNetwork(card, normalize(card, manager), layers);
  }

  /** The card's per-channel normalization as C×1×1 arrays in {@code manager}. */
  public static Layer.Normalize normalize(ModelCard card, NDManager manager) {
    int c = card.channels();
    float[] mean = new float[c];
    float[] std = new float[c];
    for (int i = 0; i < c; i++) {
      mean[i] = card.mean().get(i).floatValue();
      std[i] = card.std().get(i).floatValue();
    }
    return new Layer.Normalize(manager.create(mean, new Shape(c, 1, 1)), manager.create(std, new Shape(c, 1, 1)));
  }

  /** The network's weights by their card names (for {@link NpzWeights#write}). */
  public static Map<String, NDArray> weights(SequentialNetwork network) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    List<LayerSpec> specs = network.card().layers();
    for (int i = 0; i < specs.size(); i++) {
      Layer layer = network.layers().get(i);
      if (layer instanceof Layer.Conv2d conv) {
        out.put(specs.get(i).weight(), conv.weight());
        out.put(specs.get(i).bias(), conv.bias());
      } else if (layer instanceof Layer.Linear lin) {
        out.put(specs.get(i).weight(), lin.weight());
        out.put(specs.get(i).bias(), lin.bias());
      }
    }
    return out;
  }

  private static NDArray tensor(
      Function<String, NDArray> weights, String name, Shape expected, String source, int layer) {
    NDArray a = weights.apply(name);
    if (a == null) {
      throw new ModelException(source + " has no tensor `" + name + "` (layers[" + layer + "])");
    }
    if (!a.getShape().equals(expected)) {
      throw new ModelException(source + ": tensor `" + name + "` (layers[" + layer + "]) has shape "
          + a.getShape() + ", the card implies " + expected);
    }
    return a;
  }
}

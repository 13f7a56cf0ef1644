package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixtures written by {@code tools/reference/shadow_attack_reference.py fixtures}: the small
 * seeded networks (as {@link SequentialNetwork}s rebuilt from their .npz weights) and the attack
 * cases (image, δ0, noise, δ after 20 steps, per-step trace).
 */
final class ReferenceFixtures {
  private ReferenceFixtures() {}

  /** Arrays of {@code fixtures/attack/<name>.npz} by name, owned by {@code m}. */
  static Map<String, NDArray> load(NDManager m, String name) {
    String path = "/fixtures/attack/" + name + ".npz";
    try (InputStream in = ReferenceFixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + path);
      }
      Map<String, NDArray> out = new HashMap<>();
      for (NDArray a : NDList.decode(m, in)) {
        out.put(a.getName(), a);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The reference script's small CNN: normalize → conv(C→8,k4,s2,p1) → ReLU → conv(8→16,k4,s2,p1)
   * → ReLU → flatten → linear(→10), weights from {@code <name>-weights.npz}.
   */
  static SequentialNetwork network(NDManager m, String name, ModelKind kind, int channels, int size) {
    Map<String, NDArray> w = load(m, name + "-weights");
    List<Double> mean = doubles(w.get("0.mean"));
    List<Double> std = doubles(w.get("0.std"));
    List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    ModelCard card = new ModelCard(name, ModelCard.SEQUENTIAL, name + "-weights.npz", null,
        List.of(channels, size, size), mean, std, classes, kind, null, null, null);
    return new SequentialNetwork(card, new Layer.Normalize(w.get("0.mean"), w.get("0.std")), List.of(
        new Layer.Conv2d(w.get("1.weight"), w.get("1.bias"), 2, 1), new Layer.Relu(),
        new Layer.Conv2d(w.get("3.weight"), w.get("3.bias"), 2, 1), new Layer.Relu(),
        new Layer.Flatten(), new Layer.Linear(w.get("6.weight"), w.get("6.bias"))));
  }

  static int[] ints(NDArray a) {
    long[] v = a.toLongArray();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (int) v[i];
    }
    return out;
  }

  private static List<Double> doubles(NDArray a) {
    float[] v = a.toFloatArray();
    Double[] out = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (double) v[i];
    }
    return List.of(out);
  }
}

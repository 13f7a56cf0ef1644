package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LoadedModel#attackClassifier()}: a bundled TorchScript model is attacked through its layer
 * list, which computes the module's logits and input gradient on real Fashion-MNIST images; a
 * TorchScript model without a layer list is attacked through the module.
 *
 * <p>Tolerances: both forms run the same float32 weights. The logits came out identical on all three
 * models (2026-11-26); the input gradients differ by float32 round-off, at most 2.2e-7 of the largest
 * entry, because the sequential form's strided convolutions go through the phase rewrite when a
 * gradient is taken. Asserted: logits within 1e-6 and gradients within 1e-5 of the largest entry
 * (about 50× the measurement), far below any real difference (a wrong layer or weight changes the
 * logits by O(1)).
 */
class AttackClassifierTest {
  private static final Path BUNDLED = ModelRegistry.defaultRoot().resolve("torchscript");
  private static final int IMAGES = 16;

  @ParameterizedTest
  @ValueSource(strings = {"fmnist-rs-0.25", "fmnist-ibp-0.1-conv-small", "fmnist-rgb-rs-0.25"})
  void sequentialFormComputesTheModulesLogitsAndInputGradient(String id) {
    try (LoadedModel m = new ModelRegistry(BUNDLED).load(id); NDManager scope = m.manager().newSubManager()) {
      Classifier ts = m.classifier();
      assertInstanceOf(TorchScriptClassifier.class, ts);
      Classifier attacked = m.attackClassifier();
      assertInstanceOf(SequentialNetwork.class, attacked);
      assertSame(m.network().orElseThrow(), attacked);

      NDArray x = images(m, scope);
      assertClose(ts.logits(x), attacked.logits(x), 1e-6, "logits of " + id);
      assertClose(inputGradient(ts, x), inputGradient(attacked, x), 1e-5, "input gradient of " + id);
    }
  }

  @Test
  void torchScriptWithoutLayerListIsAttackedThroughTheModule(@TempDir Path dir) throws Exception {
    Path fixtures = Path.of("src/test/resources/fixtures/models");
    ObjectMapper json = new ObjectMapper();
    ObjectNode card = (ObjectNode) json.readTree(fixtures.resolve("tiny-ts.json").toFile());
    card.remove("layers");
    json.writeValue(dir.resolve("tiny-ts.json").toFile(), card);
    Files.copy(fixtures.resolve("tiny-ts.pt"), dir.resolve("tiny-ts.pt"));
    try (LoadedModel m = new ModelRegistry(dir).load("tiny-ts")) {
      assertTrue(m.network().isEmpty());
      assertInstanceOf(TorchScriptClassifier.class, m.attackClassifier());
      assertSame(m.classifier(), m.attackClassifier());
    }
  }

  /** The first {@link #IMAGES} test images of the model's dataset, N×C×H×W. */
  private static NDArray images(LoadedModel m, NDManager scope) {
    String uri = m.card().channels() == 3 ? "fashion-mnist-rgb:test" : "fashion-mnist:test";
    Dataset data = new DatasetCache().get(uri);
    List<NDArray> xs = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      xs.add(data.image(scope, i));
    }
    return NDArrays.stack(new NDList(xs));
  }

  /** d/dx of Σ_i z_i[(i mod K)] (one logit per image), as the attack differentiates. */
  private static NDArray inputGradient(Classifier c, NDArray x) {
    NDArray leaf = x.duplicate();
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray z = c.logits(leaf);
      long k = z.getShape().get(1);
      float[] pick = new float[(int) (IMAGES * k)];
      for (int i = 0; i < IMAGES; i++) {
        pick[(int) (i * k + i % k)] = 1f;
      }
      gc.backward(z.mul(x.getManager().create(pick, z.getShape())).sum());
    }
    return leaf.getGradient().duplicate();
  }

  private static void assertClose(NDArray expected, NDArray actual, double relative, String what) {
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    assertTrue(e.length == a.length, what + ": sizes differ");
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < e.length; i++) {
      scale = Math.max(scale, Math.abs(e[i]));
      diff = Math.max(diff, Math.abs(e[i] - a[i]));
    }
    assertTrue(scale > 0 && diff <= relative * scale, what + ": max difference " + diff + " at scale " + scale);
  }
}

package dev.shadowfleet.worker.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading against the PyTorch reference of tools/reference/make_torchscript_fixture.py: logits and input
 * gradients of a TorchScript module and of an nn.Sequential rebuilt from the same NPZ file.
 */
class ModelRegistryTest {
  static final Path FIXTURES = Path.of("src/test/resources/fixtures/models");
  static NDManager manager;
  static Map<String, NDArray> ref;
  static ModelRegistry registry = new ModelRegistry(FIXTURES);

  @BeforeAll
  static void readReference() throws Exception {
    manager = NDManager.newBaseManager();
    try (InputStream in = Files.newInputStream(FIXTURES.resolve("reference.npz"))) {
      ref = NDList.decode(manager, in).stream().collect(Collectors.toMap(NDArray::getName, a -> a));
    }
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void torchScriptGivesPythonLogitsWithin1e5() {
    try (LoadedModel m = registry.load("tiny-ts"); NDManager job = manager.newSubManager()) {
      NDArray logits = m.classifier().logits(ref.get("x").duplicate());
      assertClose(ref.get("ts_logits"), logits, 1e-5);
    }
  }

  @Test
  void sequentialNpzEqualsPythonNnSequentialBuiltFromTheSameFile() {
    try (LoadedModel m = registry.load("tiny-seq")) {
      assertTrue(m.network().isPresent());
      assertSame(m.network().get(), m.classifier());
      NDArray logits = m.classifier().logits(ref.get("x"));
      assertClose(ref.get("seq_logits"), logits, 1e-5);
    }
  }

  @Test
  void torchScriptWithLayerListBecomesTheSameSequentialNetwork() {
    try (LoadedModel m = registry.load("tiny-ts")) {
      SequentialNetwork net = m.requireNetwork();
      assertEquals(8, net.layers().size());
      assertClose(ref.get("ts_logits"), net.logits(ref.get("x")), 1e-5);
    }
  }

  @Test
  void inputGradientsMatchPythonAndFiniteDifferences() {
    for (String[] c : new String[][] {{"tiny-ts", "ts_grad"}, {"tiny-seq", "seq_grad"}}) {
      try (LoadedModel m = registry.load(c[0]); NDManager job = manager.newSubManager()) {
        NDArray x = ref.get("x").duplicate();
        x.attach(job);
        NDArray target = ref.get("target");
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(objective(m.classifier(), x, target));
        }
        NDArray grad = x.getGradient();
        assertTrue(grad.abs().sum().getFloat() > 1e-3f, c[0] + " input gradient is zero");
        assertClose(ref.get(c[1]), grad, 1e-4);
        // central finite differences on a few pixels, in float64 arithmetic on the float32 logits
        float[] pixels = x.toFloatArray();
        float[] g = grad.toFloatArray();
        for (int i : new int[] {100, 406, 784 + 300, 3 * 784 + 500}) {
          float h = 1e-2f;
          double plus = objectiveAt(m.classifier(), job, pixels, i, h, x, target);
          double minus = objectiveAt(m.classifier(), job, pixels, i, -h, x, target);
          assertEquals(g[i], (plus - minus) / (2 * h), 2e-3, c[0] + " pixel " + i);
        }
      }
    }
  }

  private static NDArray objective(Classifier f, NDArray x, NDArray target) {
    return f.logits(x).mul(target.oneHot(10)).sum();
  }

  private static double objectiveAt(
      Classifier f, NDManager job, float[] pixels, int i, float h, NDArray like, NDArray target) {
    float[] p = pixels.clone();
    p[i] += h;
    try (NDManager step = job.newSubManager()) {
      return objective(f, step.create(p, like.getShape()), target).getFloat();
    }
  }

  @Test
  void checksumMismatchIsRefusedNamingFileAndBothSums(@TempDir Path dir) throws Exception {
    copyFixture("tiny-seq", dir);
    byte[] npz = Files.readAllBytes(dir.resolve("tiny-seq.npz"));
    npz[npz.length / 2] ^= 1;
    Files.write(dir.resolve("tiny-seq.npz"), npz);
    String expected = ModelCards.read(dir.resolve("tiny-seq.json")).sha256();
    ModelException e = assertThrows(ModelException.class, () -> new ModelRegistry(dir).load("tiny-seq"));
    assertTrue(e.getMessage().contains(dir.resolve("tiny-seq.npz").toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(ModelCards.sha256(dir.resolve("tiny-seq.npz"))), e.getMessage());
  }

  @Test
  void loadsByIdByCardPathAndByModelFilePath(@TempDir Path dir) throws Exception {
    copyFixture("tiny-ts", dir);
    ModelRegistry elsewhere = new ModelRegistry(dir.resolve("nothing-here"));
    for (String ref : List.of(dir.resolve("tiny-ts.pt").toString(), dir.resolve("tiny-ts.json").toString())) {
      try (LoadedModel m = elsewhere.load(ref)) {
        assertEquals("tiny-ts", m.card().id());
      }
    }
    assertEquals(List.of("tiny-seq", "tiny-ts"), registry.list().stream().map(ModelCard::id).toList());
    ModelException e = assertThrows(ModelException.class, () -> registry.load("no-such-model"));
    assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
  }

  @Test
  void weightsRoundTripThroughNpz(@TempDir Path dir) {
    try (LoadedModel m = registry.load("tiny-seq"); NDManager scratch = manager.newSubManager()) {
      Path file = dir.resolve("w.npz");
      NpzWeights.write(file, SequentialNetworks.weights(m.requireNetwork()));
      Map<String, NDArray> back = NpzWeights.read(file, scratch);
      Map<String, NDArray> orig = NpzWeights.read(FIXTURES.resolve("tiny-seq.npz"), scratch);
      assertEquals(orig.keySet(), back.keySet());
      orig.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), back.get(k).toFloatArray(), k));
    }
  }

  @Test
  void cacheEvictsLeastRecentlyUsedAndClosesIt() {
    Map<String, Integer> loads = new HashMap<>();
    try (ModelCache cache = new ModelCache(1, id -> {
          loads.merge(id, 1, Integer::sum);
          return registry.load(id);
        })) {
      LoadedModel a = cache.get("tiny-seq");
      assertSame(a, cache.get("tiny-seq"));
      LoadedModel b = cache.get("tiny-ts");
      assertFalse(a.isOpen());
      assertTrue(b.isOpen());
      assertEquals(1, cache.size());
      cache.get("tiny-seq");
      assertEquals(Map.of("tiny-seq", 2, "tiny-ts", 1), loads);
    }
  }

  @Test
  void defaultRootComesFromTheSystemProperty() {
    String old = System.getProperty(ModelRegistry.DIR_PROPERTY);
    try {
      System.setProperty(ModelRegistry.DIR_PROPERTY, "/tmp/some-models");
      assertEquals(Path.of("/tmp/some-models"), ModelRegistry.defaultRoot());
    } finally {
      if (old == null) {
        System.clearProperty(ModelRegistry.DIR_PROPERTY);
      } else {
        System.setProperty(ModelRegistry.DIR_PROPERTY, old);
      }
    }
  }

  static void copyFixture(String id, Path dir) throws Exception {
    ModelCard card = ModelCards.read(FIXTURES.resolve(id + ".json"));
    Files.copy(FIXTURES.resolve(id + ".json"), dir.resolve(id + ".json"));
    Files.copy(FIXTURES.resolve(card.file()), dir.resolve(card.file()));
  }

  static void assertClose(NDArray expected, NDArray actual, double tol) {
    assertEquals(expected.getShape(), actual.getShape());
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tol, "element " + i);
    }
  }
}

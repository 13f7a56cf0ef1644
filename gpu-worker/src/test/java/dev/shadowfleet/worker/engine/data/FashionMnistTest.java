package dev.shadowfleet.worker.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Fashion-MNIST that Debian installs, checked against values numpy computed. */
class FashionMnistTest {

  static final Path REAL = Path.of(DatasetUris.DEFAULT_DIR);
  static Dataset test;
  static JsonNode fixture;

  @BeforeAll
  static void open() {
    test = DatasetUris.open("fashion-mnist:test");
    fixture = Fixtures.json("fashion-mnist.json");
  }

  @Test
  void testSplitHasTenThousandImagesOfTenBalancedClasses() {
    assertEquals(10_000, test.size());
    assertEquals(1, test.channels());
    assertEquals(28, test.height());
    assertEquals(28, test.width());
    assertEquals(10, test.numClasses());
    assertEquals("Ankle boot", test.classNames().get(9));
    int[] histogram = new int[10];
    for (int i = 0; i < test.size(); i++) {
      histogram[test.label(i)]++;
    }
    for (int c = 0; c < 10; c++) {
      assertEquals(1000, histogram[c], "class " + c);
      assertEquals(fixture.at("/test/labelHistogram/" + c).asInt(), histogram[c]);
    }
  }

  @Test
  void trainSplitHasSixtyThousandImages() {
    Dataset train = DatasetUris.open("fashion-mnist:train");
    assertEquals(60_000, train.size());
    int[] histogram = new int[10];
    for (int i = 0; i < train.size(); i++) {
      histogram[train.label(i)]++;
    }
    for (int c = 0; c < 10; c++) {
      assertEquals(fixture.at("/train/labelHistogram/" + c).asInt(), histogram[c], "class " + c);
    }
    checkPixelSums(train, fixture.at("/train/images"));
  }

  @Test
  void pixelSumsAndLabelsMatchNumpy() {
    checkPixelSums(test, fixture.at("/test/images"));
  }

  static void checkPixelSums(Dataset dataset, JsonNode images) {
    assertTrue(images.size() > 0);
    for (JsonNode image : images) {
      int index = image.get("index").asInt();
      float[] pixels = dataset.pixels(index);
      assertEquals(784, pixels.length);
      long byteSum = 0;
      for (float p : pixels) {
        assertTrue(p >= 0f && p <= 1f);
        byteSum += Math.round(p * 255f);
      }
      assertEquals(image.get("byteSum").asLong(), byteSum, "byte sum of image " + index);
      assertEquals(image.get("label").asInt(), dataset.label(index), "label of image " + index);
    }
  }

  @Test
  void plainIdxFilesReadTheSameAsGzip(@TempDir Path dir) throws IOException {
    for (String name : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(REAL.resolve(name + ".gz")))) {
        Files.write(dir.resolve(name), in.readAllBytes());
      }
    }
    Dataset plain = DatasetUris.open("fashion-mnist:test:" + dir);
    assertEquals("fashion-mnist:test:" + dir, plain.uri());
    assertEquals(test.size(), plain.size());
    for (int i : new int[] {0, 17, 5000, 9999}) {
      assertArrayEquals(test.pixels(i), plain.pixels(i));
      assertEquals(test.label(i), plain.label(i));
    }
  }

  @Test
  void systemPropertyOverridesTheDefaultDirectory(@TempDir Path empty) {
    System.setProperty(DatasetUris.DIR_PROPERTY, empty.toString());
    try {
      DatasetException e =
          assertThrows(
              DatasetException.class, () -> DatasetUris.open("fashion-mnist:test"));
      assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    } finally {
      System.clearProperty(DatasetUris.DIR_PROPERTY);
    }
    assertEquals(DatasetUris.DEFAULT_DIR, DatasetUris.defaultDir());
  }

  @Test
  void imageIsAOneByTwentyEightByTwentyEightArray() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray image = test.image(manager, 3);
      assertEquals(new Shape(1, 28, 28), image.getShape());
      assertArrayEquals(test.pixels(3), image.toFloatArray());
    }
  }

  @Test
  void cacheOpensEachUriOnce() {
    int[] opens = {0};
    DatasetCache cache =
        new DatasetCache(
            uri -> {
              opens[0]++;
              return DatasetUris.open(uri);
            });
    Dataset a = cache.get("fashion-mnist:test");
    Dataset b = cache.get("fashion-mnist:test");
    assertSame(a, b);
    assertEquals(1, opens[0]);
    assertEquals(1, cache.size());
    assertThrows(
        DatasetException.class, () -> cache.get("fashion-mnist:nope"));
    assertEquals(1, cache.size(), "a failed open is not cached");
  }
}

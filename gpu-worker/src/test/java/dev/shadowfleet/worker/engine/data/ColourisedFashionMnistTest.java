package dev.shadowfleet.worker.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The colourised dataset against an independent numpy re-implementation of docs/datasets.md. */
class ColourisedFashionMnistTest {

  static Dataset rgb;
  static Dataset grey;
  static JsonNode fixture;

  @BeforeAll
  static void open() {
    rgb = DatasetUris.open("fashion-mnist-rgb:test");
    grey = DatasetUris.open("fashion-mnist:test");
    fixture = Fixtures.json("fashion-mnist.json");
  }

  @Test
  void shapeLabelsAndClassesFollowTheGreyDataset() {
    assertEquals(10_000, rgb.size());
    assertEquals(3, rgb.channels());
    assertEquals(28, rgb.height());
    assertEquals(28, rgb.width());
    assertEquals(grey.classNames(), rgb.classNames());
    for (int i = 0; i < rgb.size(); i += 97) {
      assertEquals(grey.label(i), rgb.label(i));
    }
  }

  @Test
  void paletteChoicesAndPixelsMatchThePythonReimplementation() {
    assertEquals(ColourisedFashionMnist.DEFAULT_SEED, fixture.at("/rgb/seed").asLong());
    for (JsonNode image : fixture.at("/rgb/images")) {
      int index = image.get("index").asInt();
      int[] colours = ColourisedFashionMnist.colours(index, ColourisedFashionMnist.DEFAULT_SEED);
      assertEquals(image.at("/colours/0").asInt(), colours[0], "object colour of " + index);
      assertEquals(image.at("/colours/1").asInt(), colours[1], "background colour of " + index);
      float[] pixels = rgb.pixels(index);
      for (int c = 0; c < 3; c++) {
        double sum = 0;
        for (int p = 0; p < 784; p++) {
          sum += pixels[c * 784 + p];
        }
        assertEquals(image.at("/channelSums/" + c).asDouble(), sum, 1e-9, "channel " + c + " of " + index);
      }
    }
    JsonNode full = fixture.at("/rgb/full");
    float[] pixels = rgb.pixels(full.get("index").asInt());
    assertEquals(full.get("pixels").size(), pixels.length);
    for (int p = 0; p < pixels.length; p++) {
      assertEquals((float) full.at("/pixels/" + p).asDouble(), pixels[p], 0f, "pixel " + p);
    }
  }

  @Test
  void seedIsPartOfTheUri() {
    ColourisedFashionMnist seven = (ColourisedFashionMnist) DatasetUris.open("fashion-mnist-rgb:test?seed=7");
    assertEquals(7, seven.seed());
    JsonNode expected = fixture.at("/rgbSeed7/colours");
    int differing = 0;
    for (int i = 0; i < 20; i++) {
      int[] colours = ColourisedFashionMnist.colours(i, 7);
      assertEquals(expected.at("/" + i + "/0").asInt(), colours[0]);
      assertEquals(expected.at("/" + i + "/1").asInt(), colours[1]);
      if (!java.util.Arrays.equals(seven.pixels(i), rgb.pixels(i))) {
        differing++;
      }
    }
    assertTrue(differing >= 10, "another seed recolours most images, got " + differing);
  }

  @Test
  void deterministicInRangeAndTwoDistinctColours() {
    Dataset again = DatasetUris.open("fashion-mnist-rgb:test");
    int[] objectCounts = new int[ColourisedFashionMnist.PALETTE.size()];
    for (int i = rgb.size() - 1; i >= 0; i -= 1) {
      int[] colours = ColourisedFashionMnist.colours(i, ColourisedFashionMnist.DEFAULT_SEED);
      assertNotEquals(colours[0], colours[1], "object and background differ at " + i);
      objectCounts[colours[0]]++;
      if (i % 250 == 0) {
        float[] pixels = rgb.pixels(i);
        assertArrayEquals(pixels, again.pixels(i), "same pixels from a second open at " + i);
        for (float v : pixels) {
          assertTrue(v >= 0f && v <= 1f, "pixel " + v + " of image " + i);
        }
      }
    }
    for (int count : objectCounts) {
      // 10,000 draws over 8 colours: 1250 expected, σ ≈ 33
      assertTrue(Math.abs(count - 1250) < 200, "palette use " + java.util.Arrays.toString(objectCounts));
    }
  }

  @Test
  void pixelIsGreyBlendOfObjectAndBackground() {
    int index = 123;
    int[] colours = ColourisedFashionMnist.colours(index, ColourisedFashionMnist.DEFAULT_SEED);
    float[] object = ColourisedFashionMnist.PALETTE.get(colours[0]);
    float[] background = ColourisedFashionMnist.PALETTE.get(colours[1]);
    float[] g = grey.pixels(index);
    float[] pixels = rgb.pixels(index);
    for (int p = 0; p < 784; p++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(g[p] * object[c] + (1 - g[p]) * background[c], pixels[c * 784 + p], 1e-6);
      }
    }
  }
}

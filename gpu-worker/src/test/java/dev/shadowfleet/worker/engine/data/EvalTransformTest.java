package dev.shadowfleet.worker.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resize + center crop of PNG images against PyTorch and PIL (tools/reference/dataset_fixtures.py).
 *
 * <ul>
 *   <li>PyTorch {@code interpolate(bilinear, align_corners=False, antialias=True)} on the same decoded
 *       pixels: within 2e-5 (measured ≤ 1.1e-5: torch computes the scale factor and the weights in
 *       float32, e.g. 300/295, which moves far sample positions by ~1e-5 px; on a 0/1 checkerboard that
 *       is ~1e-5 in value).
 *   <li>torchvision's PIL path (PIL BILINEAR resize, crop, ToTensor): within 1.5/255, mean under
 *       0.5/255 (measured max 1.0/255, mean 0.22–0.30/255): PIL rounds to 8 bits after each of its
 *       two resampling passes.
 * </ul>
 */
class EvalTransformTest {

  static Stream<JsonNode> cases() {
    JsonNode all = Fixtures.json("resize.json");
    return Stream.iterate(0, i -> i < all.size(), i -> i + 1).map(all::get);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesTorchAndPil(JsonNode c, @TempDir Path root) {
    String name = c.get("name").asText();
    Fixtures.copy("resize/" + name + ".png", root.resolve("class/" + name + ".png"));
    int crop = c.get("crop").asInt();
    Dataset folder =
        DatasetUris.open("folder:" + root + "?resize=" + c.get("resize").asInt() + "&crop=" + crop);
    assertEquals(crop, folder.height());
    float[] pixels = folder.pixels(0);
    assertEquals(3 * crop * crop, pixels.length);
    int stride = c.get("stride").asInt();
    float[] torch = Fixtures.floats("resize/" + name + ".torch.f32");
    float[] pil = Fixtures.floats("resize/" + name + ".pil.f32");
    assertEquals(c.get("count").asInt(), torch.length);
    double maxTorch = 0;
    double maxPil = 0;
    double meanPil = 0;
    for (int k = 0; k < torch.length; k++) {
      float v = pixels[k * stride];
      maxTorch = Math.max(maxTorch, Math.abs(v - torch[k]));
      maxPil = Math.max(maxPil, Math.abs(v - pil[k]));
      meanPil += Math.abs(v - pil[k]) / torch.length;
    }
    assertTrue(maxTorch <= 2e-5, name + ": max |Δ| to torch " + maxTorch);
    assertTrue(maxPil <= 1.5 / 255, name + ": max |Δ| to PIL " + maxPil * 255 + "/255");
    assertTrue(meanPil <= 0.5 / 255, name + ": mean |Δ| to PIL " + meanPil * 255 + "/255");
  }

  @Test
  void resizedSizeFollowsTorchvision() {
    EvalTransform t = EvalTransform.IMAGENET;
    assertArrayEquals(new int[] {256, 341}, t.resizedSize(375, 500)); // int(256·500/375) = 341
    assertArrayEquals(new int[] {295, 256}, t.resizedSize(300, 260)); // int(256·300/260) = 295
    assertArrayEquals(new int[] {256, 999}, t.resizedSize(256, 999)); // already 256: unchanged
  }

  @Test
  void centerCropRoundsHalfToEven() {
    // 1×1×7 row, crop 2: (7−2)/2 = 2.5 → 2 (Python's round), so columns 2 and 3
    float[] row = {0, 1, 2, 3, 4, 5, 6};
    float[] image = new float[7 * 7];
    for (int y = 0; y < 7; y++) {
      System.arraycopy(row, 0, image, y * 7, 7);
    }
    float[] cropped = EvalTransform.centerCrop(image, 1, 7, 7, 2);
    assertArrayEquals(new float[] {2, 3, 2, 3}, cropped);
  }

  @Test
  void constantImageStaysConstant() {
    float[] image = new float[3 * 37 * 53];
    java.util.Arrays.fill(image, 0.3f);
    for (float v : new EvalTransform(20, 16).apply(image, 3, 37, 53)) {
      assertEquals(0.3f, v, 1e-6f);
    }
    for (float v : new EvalTransform(90, 80).apply(image, 3, 37, 53)) {
      assertEquals(0.3f, v, 1e-6f);
    }
  }
}

package dev.shadowfleet.worker.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders the test writes (PNG, JPEG; colour and grey). */
class ImageFolderTest {

  /** Writes a random RGB image; returns it as CHW floats. */
  static float[] writeRandomRgb(Path file, int w, int h, long seed, String format) throws IOException {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    float[] chw = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = random.nextInt(256);
        int g = random.nextInt(256);
        int b = random.nextInt(256);
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
        chw[y * w + x] = r / 255f;
        chw[w * h + y * w + x] = g / 255f;
        chw[2 * w * h + y * w + x] = b / 255f;
      }
    }
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(image, format, file.toFile()));
    return chw;
  }

  @Test
  void pngImagesRoundTripWithSortedFolderClasses(@TempDir Path root) throws IOException {
    float[] cat0 = writeRandomRgb(root.resolve("cat/b.png"), 16, 16, 1, "png");
    float[] cat1 = writeRandomRgb(root.resolve("cat/a.PNG"), 16, 16, 2, "png");
    float[] ant = writeRandomRgb(root.resolve("ant/x.png"), 16, 16, 3, "png");
    Files.writeString(root.resolve("cat/notes.txt"), "not an image");
    Dataset folder = DatasetUris.open("folder:" + root + "?resize=16&crop=16");
    assertEquals(List.of("ant", "cat"), folder.classNames());
    assertEquals(3, folder.size());
    assertEquals(16, folder.height());
    // order: class index, then file name ("a.PNG" < "b.png")
    assertEquals(0, folder.label(0));
    assertEquals(1, folder.label(1));
    assertEquals(1, folder.label(2));
    assertArraysExact(ant, folder.pixels(0));
    assertArraysExact(cat1, folder.pixels(1));
    assertArraysExact(cat0, folder.pixels(2));
  }

  @Test
  void classesTxtSetsIndicesAndNames(@TempDir Path root) throws IOException {
    writeRandomRgb(root.resolve("n02/a.png"), 8, 8, 1, "png");
    writeRandomRgb(root.resolve("n01/a.png"), 8, 8, 2, "png");
    Files.writeString(root.resolve("classes.txt"), "n02 goldfish\nn00 tench\n\nn01 white shark\n");
    Dataset folder = DatasetUris.open("folder:" + root + "?resize=8&crop=8");
    assertEquals(List.of("goldfish", "tench", "white shark"), folder.classNames());
    assertEquals(3, folder.numClasses());
    assertEquals(0, folder.label(0)); // n02
    assertEquals(2, folder.label(1)); // n01
  }

  @Test
  void imagenetClassIndexJsonSetsIndicesAndNames(@TempDir Path root, @TempDir Path elsewhere)
      throws IOException {
    writeRandomRgb(root.resolve("n01443537/a.JPEG"), 8, 8, 1, "jpeg");
    writeRandomRgb(root.resolve("n01440764/a.JPEG"), 8, 8, 2, "jpeg");
    Path index = elsewhere.resolve("imagenet_class_index.json");
    Files.writeString(
        index, "{\"1\": [\"n01443537\", \"goldfish\"], \"0\": [\"n01440764\", \"tench\"]}");
    Dataset folder = DatasetUris.open("folder:" + root + "?resize=8&crop=8&classes=" + index);
    assertEquals(List.of("tench", "goldfish"), folder.classNames());
    assertEquals(0, folder.label(0));
    assertEquals(1, folder.label(1));
    assertEquals(((ImageFolder) folder).file(0), root.resolve("n01440764/a.JPEG"));
  }

  @Test
  void jpegDecodesCloseToWhatWasWritten(@TempDir Path root) throws IOException {
    // a smooth image: JPEG keeps it within a few grey levels
    BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 24; y++) {
      for (int x = 0; x < 24; x++) {
        image.setRGB(x, y, ((40 + 8 * x) << 16) | ((30 + 6 * y) << 8) | 128);
      }
    }
    Files.createDirectories(root.resolve("c"));
    ImageIO.write(image, "jpeg", root.resolve("c/i.jpg").toFile());
    float[] pixels = DatasetUris.open("folder:" + root + "?resize=24&crop=24").pixels(0);
    double error = 0;
    for (int y = 0; y < 24; y++) {
      for (int x = 0; x < 24; x++) {
        error += Math.abs(pixels[y * 24 + x] - (40 + 8 * x) / 255.0);
        error += Math.abs(pixels[576 + y * 24 + x] - (30 + 6 * y) / 255.0);
        error += Math.abs(pixels[1152 + y * 24 + x] - 128 / 255.0);
      }
    }
    assertTrue(error / (3 * 576) < 4 / 255.0, "mean JPEG error " + error / (3 * 576) * 255 + "/255");
  }

  @Test
  void greyPngIsReplicatedToThreeChannelsWithoutGammaChange(@TempDir Path root) throws IOException {
    BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 5; x++) {
        image.getRaster().setSample(x, y, 0, 10 * x + 50 * y);
      }
    }
    Files.createDirectories(root.resolve("g"));
    ImageIO.write(image, "png", root.resolve("g/grey.png").toFile());
    float[] pixels = DatasetUris.open("folder:" + root + "?resize=4&crop=4").pixels(0);
    // shorter side 4 already: no resampling; crop 4 of width 5 starts at round_half_even(0.5) = 0
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals((10 * x + 50 * y) / 255f, pixels[c * 16 + y * 4 + x], 0f);
        }
      }
    }
  }

  static void assertArraysExact(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 0f, "element " + i);
    }
  }
}

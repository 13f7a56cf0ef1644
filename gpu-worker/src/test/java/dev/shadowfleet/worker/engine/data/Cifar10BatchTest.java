package dev.shadowfleet.worker.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 batches the test writes in the real binary format. */
class Cifar10BatchTest {

  /** n records of random labels and pixels, as CIFAR-10's {@code test_batch.bin} lays them out. */
  static byte[] randomBatch(int n, long seed) {
    byte[] bytes = new byte[n * 3073];
    Random random = new Random(seed);
    random.nextBytes(bytes);
    for (int i = 0; i < n; i++) {
      bytes[i * 3073] = (byte) random.nextInt(10);
    }
    return bytes;
  }

  @Test
  void recordsRoundTrip(@TempDir Path dir) throws IOException {
    byte[] bytes = randomBatch(25, 42);
    Path file = Files.write(dir.resolve("test_batch.bin"), bytes);
    Dataset batch = DatasetUris.open("cifar10:" + file);
    assertEquals(25, batch.size());
    assertEquals(3, batch.channels());
    assertEquals(32, batch.height());
    assertEquals(32, batch.width());
    assertEquals(Cifar10Batch.CLASS_NAMES, batch.classNames());
    for (int i = 0; i < 25; i++) {
      assertEquals(bytes[i * 3073], batch.label(i));
      float[] pixels = batch.pixels(i);
      assertEquals(3072, pixels.length);
      for (int p = 0; p < 3072; p++) {
        assertEquals((bytes[i * 3073 + 1 + p] & 0xff) / 255f, pixels[p], 0f);
      }
    }
    // red plane first: pixel (row 1, col 2) of the green channel is byte 1 + 1024 + 32 + 2
    assertEquals((bytes[3073 * 4 + 1 + 1024 + 34] & 0xff) / 255f, batch.pixels(4)[1024 + 34], 0f);
  }

  @Test
  void classNamesComeFromBatchesMetaNextToTheBatch(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("data_batch_1.bin"), randomBatch(3, 1));
    List<String> names = List.of("a0", "b1", "c2", "d3", "e4", "f5", "g6", "h7", "i8", "j9");
    Files.write(dir.resolve("batches.meta.txt"), (String.join("\n", names) + "\n\n").getBytes());
    Dataset batch = DatasetUris.open("cifar10:" + file);
    assertEquals(names, batch.classNames());
    assertEquals(10, batch.numClasses());
  }
}

package dev.shadowfleet.worker.engine.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per failure: each message names the file, URI or index and says why. */
class DatasetErrorsTest {

  @TempDir Path dir;

  /** An idx file: magic, dims, then {@code payload} bytes (possibly fewer/more than the dims say). */
  static byte[] idx(int magic, int[] dims, int payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.array();
  }

  /** Writes t10k images (n×2×2) and labels (m) into {@link #dir}; returns the test URI. */
  String writeSplit(byte[] images, byte[] labels) throws IOException {
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), images);
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels);
    return "fashion-mnist:test:" + dir;
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static void assertMessage(Runnable action, String... parts) {
    DatasetException e = assertThrows(DatasetException.class, action::run);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
    }
  }

  @Test
  void smallValidSplitOpens() throws IOException {
    String uri = writeSplit(idx(0x803, new int[] {3, 2, 2}, 12), idx(0x801, new int[] {3}, 3));
    assertTrue(DatasetUris.open(uri).size() == 3);
  }

  @Test
  void missingFile() {
    assertMessage(
        () -> DatasetUris.open("fashion-mnist:test:" + dir.resolve("nowhere")),
        "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", "does not exist");
  }

  @Test
  void wrongMagicNumber() throws IOException {
    // labels where images belong: idx1 magic in the idx3 file
    String uri = writeSplit(idx(0x801, new int[] {3, 2, 2}, 12), idx(0x801, new int[] {3}, 3));
    assertMessage(
        () -> DatasetUris.open(uri), "t10k-images-idx3-ubyte", "wrong magic number 0x00000801",
        "expected 0x00000803");
  }

  @Test
  void truncatedPlainFile() throws IOException {
    byte[] images = Arrays.copyOf(idx(0x803, new int[] {3, 2, 2}, 12), 16 + 10);
    String uri = writeSplit(images, idx(0x801, new int[] {3}, 3));
    assertMessage(() -> DatasetUris.open(uri), "is truncated", "needs 28 bytes", "file has 26");
  }

  @Test
  void truncatedHeader() throws IOException {
    String uri = writeSplit(new byte[] {0, 0, 8, 3, 0, 0}, idx(0x801, new int[] {3}, 3));
    assertMessage(() -> DatasetUris.open(uri), "is truncated", "at least 16 header bytes, got 6");
  }

  @Test
  void truncatedGzipFile() throws IOException {
    byte[] gz = gzip(idx(0x803, new int[] {3, 2, 2}, 12));
    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 12));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {3}, 3));
    assertMessage(
        () -> DatasetUris.open("fashion-mnist:test:" + dir), "t10k-images-idx3-ubyte.gz", "truncated");
  }

  @Test
  void trailingData() throws IOException {
    String uri = writeSplit(idx(0x803, new int[] {3, 2, 2}, 13), idx(0x801, new int[] {3}, 3));
    assertMessage(() -> DatasetUris.open(uri), "trailing data", "needs 28 bytes", "file has 29");
  }

  @Test
  void labelAndImageCountsDiffer() throws IOException {
    String uri = writeSplit(idx(0x803, new int[] {3, 2, 2}, 12), idx(0x801, new int[] {2}, 2));
    assertMessage(() -> DatasetUris.open(uri), "holds 3 images", "holds 2 labels");
  }

  @Test
  void labelOutsideTheClasses() throws IOException {
    byte[] labels = idx(0x801, new int[] {3}, 3);
    labels[9] = 10;
    String uri = writeSplit(idx(0x803, new int[] {3, 2, 2}, 12), labels);
    assertMessage(() -> DatasetUris.open(uri), "label 10 of image 1", "0..9");
  }

  @Test
  void indexOutOfRange() throws IOException {
    String uri = writeSplit(idx(0x803, new int[] {3, 2, 2}, 12), idx(0x801, new int[] {3}, 3));
    Dataset d = DatasetUris.open(uri);
    assertMessage(() -> d.pixels(3), "index 3", "of size 3", uri);
    assertMessage(() -> d.label(-1), "index -1", "of size 3");
    Dataset rgb = DatasetUris.open("fashion-mnist-rgb:test:" + dir);
    assertMessage(() -> rgb.pixels(7), "index 7", "of size 3");
  }

  @Test
  void cifarMissingFile() {
    Path file = dir.resolve("test_batch.bin");
    assertMessage(() -> DatasetUris.open("cifar10:" + file), file.toString(), "does not exist");
  }

  @Test
  void cifarTruncated() throws IOException {
    byte[] bytes = Cifar10BatchTest.randomBatch(2, 3);
    Path file = Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(bytes, bytes.length - 100));
    assertMessage(
        () -> DatasetUris.open("cifar10:" + file), "is truncated", "6046 bytes",
        "multiple of 3073", "expected 6146 bytes");
  }

  @Test
  void cifarLabelOutOfRange() throws IOException {
    byte[] bytes = Cifar10BatchTest.randomBatch(2, 3);
    bytes[3073] = 11;
    Path file = Files.write(dir.resolve("test_batch.bin"), bytes);
    assertMessage(() -> DatasetUris.open("cifar10:" + file), "record 1", "label 11", "0..9");
  }

  @Test
  void cifarIndexOutOfRange() throws IOException {
    Path file = Files.write(dir.resolve("b.bin"), Cifar10BatchTest.randomBatch(2, 3));
    Dataset d = DatasetUris.open("cifar10:" + file);
    assertMessage(() -> d.pixels(2), "index 2", "of size 2");
  }

  @Test
  void folderMissing() {
    Path root = dir.resolve("val");
    assertMessage(() -> DatasetUris.open("folder:" + root), root.toString(), "does not exist");
  }

  @Test
  void folderWithoutImages() throws IOException {
    Files.createDirectories(dir.resolve("cls"));
    assertMessage(() -> DatasetUris.open("folder:" + dir), "no .JPEG/.jpg/.jpeg/.png images");
  }

  @Test
  void folderNotInClassIndex() throws IOException {
    ImageFolderTest.writeRandomRgb(dir.resolve("n01/a.png"), 4, 4, 1, "png");
    ImageFolderTest.writeRandomRgb(dir.resolve("n99/a.png"), 4, 4, 1, "png");
    Files.writeString(dir.resolve("classes.txt"), "n01\n");
    assertMessage(
        () -> DatasetUris.open("folder:" + dir + "?resize=4&crop=4"), "folder 'n99'", "classes.txt");
  }

  @Test
  void malformedClassIndexJson() throws IOException {
    ImageFolderTest.writeRandomRgb(dir.resolve("n01/a.png"), 4, 4, 1, "png");
    Files.writeString(dir.resolve("class_index.json"), "{\"0\": [\"n01\", \"a\"], \"2\": [\"n02\", \"b\"]}");
    assertMessage(() -> DatasetUris.open("folder:" + dir), "class_index.json", "key \"1\"");
  }

  @Test
  void undecodableImage() throws IOException {
    Files.createDirectories(dir.resolve("c"));
    Path file = Files.writeString(dir.resolve("c/broken.png"), "not a png");
    Dataset d = DatasetUris.open("folder:" + dir);
    assertMessage(() -> d.pixels(0), file.toString());
  }

  @Test
  void badUris() {
    assertMessage(() -> DatasetUris.open(""), "empty");
    assertMessage(() -> DatasetUris.open("mnist"), "dataset URI mnist", "no scheme");
    assertMessage(() -> DatasetUris.open("mnist:test"), "mnist:test", "unknown scheme 'mnist'");
    assertMessage(() -> DatasetUris.open("fashion-mnist:val"), "fashion-mnist:val", "split 'val'");
    assertMessage(() -> DatasetUris.open("fashion-mnist:test:"), "needs a directory");
    assertMessage(
        () -> DatasetUris.open("fashion-mnist:test?seed=1"), "unknown query parameter 'seed'");
    assertMessage(
        () -> DatasetUris.open("fashion-mnist-rgb:test?seed=x"), "seed must be an integer", "'x'");
    assertMessage(() -> DatasetUris.open("cifar10:"), "cifar10:", "needs a batch file path");
    assertMessage(
        () -> DatasetUris.open("folder:/x?resize=200&crop=224"), "need 1 ≤ crop ≤ resize",
        "resize=200 crop=224");
    assertMessage(() -> DatasetUris.open("folder:/x?size=3"), "unknown query parameter 'size'");
    assertMessage(() -> DatasetUris.open("folder:/x?resize"), "'resize' is not key=value");
  }
}

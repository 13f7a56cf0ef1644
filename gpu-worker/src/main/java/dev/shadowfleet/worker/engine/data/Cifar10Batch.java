package dev.shadowfleet.worker.engine.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * One CIFAR-10 binary batch ({@code data_batch_N.bin}, {@code test_batch.bin}): records of 1 label
 * byte followed by 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each 32×32 row-major), which
 * is already CHW; pixel = byte / 255f. Class names come from {@code batches.meta.txt} next to the
 * batch when it exists (one name per non-blank line), otherwise {@link #CLASS_NAMES}.
 */
public final class Cifar10Batch implements Dataset {

  /** The standard CIFAR-10 class names, in label order. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer",
          "dog", "frog", "horse", "ship", "truck");

  static final int SIDE = 32;
  static final int PIXELS = 3 * SIDE * SIDE;
  static final int RECORD = 1 + PIXELS;

  private final String uri;
  private final byte[] bytes;
  private final List<String> classNames;

  private Cifar10Batch(String uri, byte[] bytes, List<String> classNames) {
    this.uri = uri;
    this.bytes = bytes;
    this.classNames = classNames;
  }

  /** Reads the whole batch file into memory and checks every record and label. */
  public static Cifar10Batch open(Path file, String uri) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DatasetException("dataset " + uri + ": CIFAR-10 batch " + file + " does not exist", e);
    } catch (IOException e) {
      throw new DatasetException("dataset " + uri + ": cannot read " + file + ": " + e, e);
    }
    if (bytes.length == 0 || bytes.length % RECORD != 0) {
      long records = bytes.length / RECORD;
      throw new DatasetException(
          "dataset " + uri + ": CIFAR-10 batch " + file + " is truncated: " + bytes.length
              + " bytes is not a positive multiple of " + RECORD + " bytes per record (expected "
              + (records + 1) * RECORD + " bytes for " + (records + 1) + " records)");
    }
    List<String> names = classNames(file.resolveSibling("batches.meta.txt"), uri);
    for (int i = 0; i < bytes.length / RECORD; i++) {
      int label = bytes[i * RECORD] & 0xff;
      if (label >= names.size()) {
        throw new DatasetException(
            "dataset " + uri + ": record " + i + " of " + file + " has label " + label
                + ", expected 0.." + (names.size() - 1));
      }
    }
    return new Cifar10Batch(uri, bytes, names);
  }

  private static List<String> classNames(Path meta, String uri) {
    if (!Files.isRegularFile(meta)) {
      return CLASS_NAMES;
    }
    try {
      List<String> names =
          Files.readAllLines(meta, StandardCharsets.UTF_8).stream()
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .toList();
      if (names.isEmpty()) {
        throw new DatasetException("dataset " + uri + ": " + meta + " lists no class names");
      }
      return names;
    } catch (IOException e) {
      throw new DatasetException("dataset " + uri + ": cannot read " + meta + ": " + e, e);
    }
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public int size() {
    return bytes.length / RECORD;
  }

  @Override
  public int numClasses() {
    return classNames.size();
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public int channels() {
    return 3;
  }

  @Override
  public int height() {
    return SIDE;
  }

  @Override
  public int width() {
    return SIDE;
  }

  @Override
  public float[] pixels(int index) {
    DatasetException.checkIndex(uri, index, size());
    float[] out = new float[PIXELS];
    int base = index * RECORD + 1;
    for (int p = 0; p < PIXELS; p++) {
      out[p] = (bytes[base + p] & 0xff) / 255f;
    }
    return out;
  }

  @Override
  public int label(int index) {
    DatasetException.checkIndex(uri, index, size());
    return bytes[index * RECORD] & 0xff;
  }
}

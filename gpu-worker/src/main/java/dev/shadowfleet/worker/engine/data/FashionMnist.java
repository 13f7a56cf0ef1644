package dev.shadowfleet.worker.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017) from its four idx files: {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte},
 * each plain or with a {@code .gz} suffix (plain preferred when both exist). The split is held in
 * memory as bytes (60,000 × 784 bytes for train); pixel = byte / 255f, 1×28×28.
 */
public final class FashionMnist implements Dataset {

  /** The ten class names, in label order. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** A split: its name in URIs and its file-name prefix. */
  public enum Split {
    TRAIN("train", "train"),
    TEST("test", "t10k");

    private final String id;
    private final String filePrefix;

    Split(String id, String filePrefix) {
      this.id = id;
      this.filePrefix = filePrefix;
    }

    public String id() {
      return id;
    }

    /** Parses {@code train} or {@code test}. */
    public static Split byId(String id, String uri) {
      for (Split s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      throw new DatasetException(
          "dataset URI " + uri + " names split '" + id + "', expected 'train' or 'test'");
    }
  }

  private final String uri;
  private final int rows;
  private final int cols;
  private final byte[] images;
  private final byte[] labels;

  private FashionMnist(String uri, int rows, int cols, byte[] images, byte[] labels) {
    this.uri = uri;
    this.rows = rows;
    this.cols = cols;
    this.images = images;
    this.labels = labels;
  }

  /** Reads {@code split} from {@code dir}; {@code uri} is what {@link #uri()} reports. */
  public static FashionMnist open(Path dir, Split split, String uri) {
    Path imageFile = find(dir, split.filePrefix + "-images-idx3-ubyte", uri);
    Path labelFile = find(dir, split.filePrefix + "-labels-idx1-ubyte", uri);
    return fromFiles(imageFile, labelFile, uri);
  }

  /** Reads an idx3 image file and an idx1 label file (plain or .gz) as one dataset. */
  public static FashionMnist fromFiles(Path imageFile, Path labelFile, String uri) {
    IdxFile images = IdxFile.read(imageFile, 3);
    IdxFile labels = IdxFile.read(labelFile, 1);
    int n = images.dims()[0];
    if (labels.dims()[0] != n) {
      throw new DatasetException(
          "dataset " + uri + ": " + imageFile + " holds " + n + " images but " + labelFile
              + " holds " + labels.dims()[0] + " labels");
    }
    byte[] l = labels.data();
    for (int i = 0; i < n; i++) {
      if ((l[i] & 0xff) >= CLASS_NAMES.size()) {
        throw new DatasetException(
            "dataset " + uri + ": label " + (l[i] & 0xff) + " of image " + i + " in " + labelFile
                + " is not a class index 0.." + (CLASS_NAMES.size() - 1));
      }
    }
    return new FashionMnist(uri, images.dims()[1], images.dims()[2], images.data(), l);
  }

  private static Path find(Path dir, String base, String uri) {
    Path plain = dir.resolve(base);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(base + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw new DatasetException(
        "dataset " + uri + ": neither " + plain + " nor " + gz + " exists"
            + (Files.isDirectory(dir) ? "" : " (directory " + dir + " does not exist)"));
  }

  /** The raw grey value 0..255 of pixel {@code p} (row-major) of image {@code index}. */
  int grey(int index, int p) {
    return images[index * rows * cols + p] & 0xff;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int numClasses() {
    return CLASS_NAMES.size();
  }

  @Override
  public List<String> classNames() {
    return CLASS_NAMES;
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public int height() {
    return rows;
  }

  @Override
  public int width() {
    return cols;
  }

  @Override
  public float[] pixels(int index) {
    DatasetException.checkIndex(uri, index, size());
    int n = rows * cols;
    float[] out = new float[n];
    int base = index * n;
    for (int p = 0; p < n; p++) {
      out[p] = (images[base + p] & 0xff) / 255f;
    }
    return out;
  }

  @Override
  public int label(int index) {
    DatasetException.checkIndex(uri, index, size());
    return labels[index];
  }
}

package dev.shadowfleet.worker.engine.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images in the ImageNet folder layout {@code root/<class folder>/<image>.{JPEG,jpg,jpeg,png}},
 * decoded with javax.imageio on demand, converted to RGB and passed through an {@link
 * EvalTransform}.
 *
 * <p>Class indices come from a class-index file when there is one, else from the sorted folder
 * names (as torchvision's {@code ImageFolder}). Two formats are read: {@code classes.txt}, one class
 * per non-blank line in index order as {@code <folder> [display name]}; and ImageNet's {@code
 * class_index.json}, {@code {"0": ["n01440764", "tench"], ...}}. Without an explicit file the root is
 * searched for {@code classes.txt}, {@code class_index.json}, {@code imagenet_class_index.json}.
 * Images are ordered by class index, then by file name.
 */
public final class ImageFolder implements Dataset {

  static final List<String> INDEX_FILES =
      List.of("classes.txt", "class_index.json", "imagenet_class_index.json");

  private final String uri;
  private final List<String> classNames;
  private final List<Path> files;
  private final int[] labels;
  private final EvalTransform transform;

  private ImageFolder(
      String uri, List<String> classNames, List<Path> files, int[] labels, EvalTransform transform) {
    this.uri = uri;
    this.classNames = classNames;
    this.files = files;
    this.labels = labels;
    this.transform = transform;
  }

  /**
   * Lists {@code root}; {@code indexFile} may be null (then searched for in {@code root}, else the
   * sorted folder names are the classes).
   */
  public static ImageFolder open(Path root, Path indexFile, EvalTransform transform, String uri) {
    if (!Files.isDirectory(root)) {
      throw new DatasetException("dataset " + uri + ": image folder " + root + " does not exist");
    }
    List<String> folders = listSorted(root, uri, true);
    if (indexFile == null) {
      indexFile = INDEX_FILES.stream().map(root::resolve).filter(Files::isRegularFile).findFirst()
          .orElse(null);
    }
    // folder name -> display name, in class-index order
    Map<String, String> classes = new LinkedHashMap<>();
    if (indexFile == null) {
      folders.forEach(f -> classes.put(f, f));
    } else {
      classes.putAll(readIndex(indexFile, uri));
      for (String folder : folders) {
        if (!classes.containsKey(folder)) {
          throw new DatasetException(
              "dataset " + uri + ": folder '" + folder + "' is not listed in class-index file "
                  + indexFile);
        }
      }
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    int label = 0;
    for (String folder : classes.keySet()) {
      if (Files.isDirectory(root.resolve(folder))) {
        for (String name : listSorted(root.resolve(folder), uri, false)) {
          if (isImage(name)) {
            files.add(root.resolve(folder).resolve(name));
            labels.add(label);
          }
        }
      }
      label++;
    }
    if (files.isEmpty()) {
      throw new DatasetException(
          "dataset " + uri + ": no .JPEG/.jpg/.jpeg/.png images under " + root + "/<class>/");
    }
    return new ImageFolder(
        uri,
        List.copyOf(classes.values()),
        List.copyOf(files),
        labels.stream().mapToInt(Integer::intValue).toArray(),
        transform);
  }

  private static boolean isImage(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".jpeg") || lower.endsWith(".jpg") || lower.endsWith(".png");
  }

  private static List<String> listSorted(Path dir, String uri, boolean directories) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(p -> directories ? Files.isDirectory(p) : Files.isRegularFile(p))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new DatasetException("dataset " + uri + ": cannot list " + dir + ": " + e, e);
    }
  }

  /** Reads a classes.txt or class_index.json file: folder name -> display name, in index order. */
  static Map<String, String> readIndex(Path file, String uri) {
    Map<String, String> classes = new LinkedHashMap<>();
    try {
      if (file.getFileName().toString().endsWith(".json")) {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        if (root == null || !root.isObject()) {
          throw new DatasetException(
              "dataset " + uri + ": class-index file " + file + " is not a JSON object");
        }
        for (int i = 0; i < root.size(); i++) {
          JsonNode entry = root.get(Integer.toString(i));
          if (entry == null || !entry.isArray() || entry.size() < 1 || !entry.get(0).isTextual()) {
            throw new DatasetException(
                "dataset " + uri + ": class-index file " + file + " needs keys \"0\".."
                    + (root.size() - 1) + " each mapping to [folder, name]; key \"" + i
                    + "\" is missing or malformed");
          }
          String folder = entry.get(0).asText();
          String name = entry.size() > 1 ? entry.get(1).asText() : folder;
          putUnique(classes, folder, name, file, uri);
        }
      } else {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String s = line.strip();
          if (!s.isEmpty()) {
            String[] parts = s.split("\\s+", 2);
            putUnique(classes, parts[0], parts.length > 1 ? parts[1] : parts[0], file, uri);
          }
        }
      }
    } catch (IOException e) {
      throw new DatasetException(
          "dataset " + uri + ": cannot read class-index file " + file + ": " + e, e);
    }
    if (classes.isEmpty()) {
      throw new DatasetException("dataset " + uri + ": class-index file " + file + " lists no class");
    }
    return classes;
  }

  private static void putUnique(
      Map<String, String> classes, String folder, String name, Path file, String uri) {
    if (classes.putIfAbsent(folder, name) != null) {
      throw new DatasetException(
          "dataset " + uri + ": class-index file " + file + " lists folder '" + folder + "' twice");
    }
  }

  /** The file behind image {@code index}. */
  public Path file(int index) {
    DatasetException.checkIndex(uri, index, size());
    return files.get(index);
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public int size() {
    return files.size();
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
    return transform.crop();
  }

  @Override
  public int width() {
    return transform.crop();
  }

  @Override
  public float[] pixels(int index) {
    Path file = file(index);
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new DatasetException("dataset " + uri + ": cannot decode image " + file + ": " + e, e);
    }
    if (image == null) {
      throw new DatasetException("dataset " + uri + ": no image decoder accepts " + file);
    }
    int h = image.getHeight();
    int w = image.getWidth();
    return transform.apply(toRgb(image), 3, h, w);
  }

  @Override
  public int label(int index) {
    DatasetException.checkIndex(uri, index, size());
    return labels[index];
  }

  /**
   * The image as 3×H×W floats in [0,1], as PIL's {@code convert("RGB")}: grey replicated, alpha
   * dropped, palette looked up; samples of b bits divided by 2^b − 1. Stored samples are used as they
   * are (no colour management), except for palette images and colour spaces other than sRGB/grey.
   */
  static float[] toRgb(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    int plane = h * w;
    float[] out = new float[3 * plane];
    Raster raster = image.getRaster();
    ColorSpace space = image.getColorModel().getColorSpace();
    boolean indexed = image.getColorModel() instanceof IndexColorModel;
    boolean grey = !indexed && space.getType() == ColorSpace.TYPE_GRAY;
    boolean rgb = !indexed && space.isCS_sRGB() && raster.getNumBands() >= 3;
    if (grey || rgb) {
      int[] bits = image.getSampleModel().getSampleSize();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int c = 0; c < 3; c++) {
            int band = grey ? 0 : c;
            out[c * plane + y * w + x] =
                raster.getSample(x, y, band) / (float) ((1 << bits[band]) - 1);
          }
        }
      }
    } else {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int argb = image.getRGB(x, y);
          out[y * w + x] = ((argb >> 16) & 0xff) / 255f;
          out[plane + y * w + x] = ((argb >> 8) & 0xff) / 255f;
          out[2 * plane + y * w + x] = (argb & 0xff) / 255f;
        }
      }
    }
    return out;
  }
}

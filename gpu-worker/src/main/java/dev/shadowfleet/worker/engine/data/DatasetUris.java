package dev.shadowfleet.worker.engine.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens a {@link Dataset} from the URI a job carries (docs/datasets.md):
 *
 * <ul>
 *   <li>{@code fashion-mnist:test}, {@code fashion-mnist:train}, optionally {@code
 *       fashion-mnist:test:/some/dir};
 *   <li>{@code fashion-mnist-rgb:test|train[:/dir][?seed=N]}, the {@link ColourisedFashionMnist};
 *   <li>{@code cifar10:/path/test_batch.bin}, a CIFAR-10 binary batch;
 *   <li>{@code folder:/path/val[?resize=256&crop=224&classes=/path/classes.txt]}, an {@link
 *       ImageFolder}.
 * </ul>
 *
 * <p>The Fashion-MNIST directory, when the URI names none, is the system property {@value
 * #DIR_PROPERTY}, else the environment variable {@value #DIR_ENV}, else {@value #DEFAULT_DIR}.
 */
public final class DatasetUris {

  public static final String DIR_PROPERTY = "shadowfleet.fashion-mnist.dir";
  public static final String DIR_ENV = "SHADOWFLEET_FASHION_MNIST_DIR";
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

  private DatasetUris() {}

  /** Opens the dataset {@code uri} names; every failure is a {@link DatasetException} naming it. */
  public static Dataset open(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new DatasetException("dataset URI is empty");
    }
    int colon = uri.indexOf(':');
    if (colon < 0) {
      throw new DatasetException(
          "dataset URI " + uri + " has no scheme; expected fashion-mnist:, fashion-mnist-rgb:,"
              + " cifar10: or folder:");
    }
    String scheme = uri.substring(0, colon);
    String rest = uri.substring(colon + 1);
    int question = rest.indexOf('?');
    String path = question < 0 ? rest : rest.substring(0, question);
    Map<String, String> query = query(uri, question < 0 ? "" : rest.substring(question + 1));
    return switch (scheme) {
      case "fashion-mnist" -> {
        allowOnly(uri, query, Set.of());
        yield fashionMnist(uri, path);
      }
      case "fashion-mnist-rgb" -> {
        allowOnly(uri, query, Set.of("seed"));
        long seed =
            query.containsKey("seed")
                ? parseLong(uri, "seed", query.get("seed"))
                : ColourisedFashionMnist.DEFAULT_SEED;
        yield new ColourisedFashionMnist(fashionMnist(uri, path), seed, uri);
      }
      case "cifar10" -> {
        allowOnly(uri, query, Set.of());
        yield Cifar10Batch.open(Path.of(nonEmpty(uri, path, "a batch file path")), uri);
      }
      case "folder" -> {
        allowOnly(uri, query, Set.of("resize", "crop", "classes"));
        int resize = parseInt(uri, "resize", query.getOrDefault("resize", "256"));
        int crop = parseInt(uri, "crop", query.getOrDefault("crop", "224"));
        if (resize < 1 || crop < 1 || crop > resize) {
          throw new DatasetException(
              "dataset URI " + uri + ": need 1 ≤ crop ≤ resize, got resize=" + resize
                  + " crop=" + crop);
        }
        Path classes = query.containsKey("classes") ? Path.of(query.get("classes")) : null;
        yield ImageFolder.open(
            Path.of(nonEmpty(uri, path, "a folder path")), classes,
            new EvalTransform(resize, crop), uri);
      }
      default ->
          throw new DatasetException(
              "dataset URI " + uri + " has unknown scheme '" + scheme
                  + "'; expected fashion-mnist, fashion-mnist-rgb, cifar10 or folder");
    };
  }

  /** {@code split[:dir]} of a Fashion-MNIST URI. */
  private static FashionMnist fashionMnist(String uri, String rest) {
    int colon = rest.indexOf(':');
    String split = colon < 0 ? rest : rest.substring(0, colon);
    String dir = colon < 0 ? defaultDir() : nonEmpty(uri, rest.substring(colon + 1), "a directory");
    return FashionMnist.open(Path.of(dir), FashionMnist.Split.byId(split, uri), uri);
  }

  /** The Fashion-MNIST directory used when a URI names none. */
  public static String defaultDir() {
    String property = System.getProperty(DIR_PROPERTY);
    if (property != null && !property.isBlank()) {
      return property;
    }
    String env = System.getenv(DIR_ENV);
    return env != null && !env.isBlank() ? env : DEFAULT_DIR;
  }

  private static Map<String, String> query(String uri, String query) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new DatasetException(
            "dataset URI " + uri + ": query parameter '" + pair + "' is not key=value");
      }
      if (params.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
        throw new DatasetException(
            "dataset URI " + uri + ": query parameter '" + pair.substring(0, eq) + "' repeated");
      }
    }
    return params;
  }

  private static void allowOnly(String uri, Map<String, String> query, Set<String> allowed) {
    for (String key : query.keySet()) {
      if (!allowed.contains(key)) {
        throw new DatasetException(
            "dataset URI " + uri + ": unknown query parameter '" + key + "'"
                + (allowed.isEmpty() ? " (this scheme takes none)" : "; allowed: " + allowed));
      }
    }
  }

  private static String nonEmpty(String uri, String value, String what) {
    if (value.isBlank()) {
      throw new DatasetException("dataset URI " + uri + " needs " + what);
    }
    return value;
  }

  private static int parseInt(String uri, String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new DatasetException(
          "dataset URI " + uri + ": " + key + " must be an integer, got '" + value + "'");
    }
  }

  private static long parseLong(String uri, String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new DatasetException(
          "dataset URI " + uri + ": " + key + " must be an integer, got '" + value + "'");
    }
  }
}

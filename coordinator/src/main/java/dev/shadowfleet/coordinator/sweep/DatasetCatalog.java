package dev.shadowfleet.coordinator.sweep;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the coordinator knows about dataset URIs without opening them: the allowed schemes (the
 * worker's dataset readers), and size / classes / channels of the bundled datasets. For other URIs
 * (an image folder) the request states the size and the worker checks every index when it runs.
 */
public final class DatasetCatalog {

  /** Size, class count and channels of a known dataset. */
  public record Known(long size, int numClasses, int channels) {}

  /** Schemes the worker can open (gpu-worker {@code DatasetUris}). */
  public static final Set<String> SCHEMES = Set.of("fashion-mnist", "fashion-mnist-rgb", "cifar10", "folder");

  private static final Map<String, Known> KNOWN =
      Map.of(
          "fashion-mnist:test", new Known(10_000, 10, 1),
          "fashion-mnist:train", new Known(60_000, 10, 1),
          "fashion-mnist-rgb:test", new Known(10_000, 10, 3),
          "fashion-mnist-rgb:train", new Known(60_000, 10, 3));

  /** A CIFAR-10 binary batch file always holds 10,000 images of 10 classes. */
  private static final Known CIFAR10_BATCH = new Known(10_000, 10, 3);

  private DatasetCatalog() {}

  /** The URI's scheme, or empty when it has none. */
  public static Optional<String> scheme(String uri) {
    int colon = uri.indexOf(':');
    return colon <= 0 ? Optional.empty() : Optional.of(uri.substring(0, colon));
  }

  /**
   * Size, classes and channels of {@code uri} when it names a bundled dataset: {@code
   * fashion-mnist[-rgb]:test|train}, optionally followed by {@code :/dir} or {@code ?seed=…}, or a
   * CIFAR-10 batch file.
   */
  public static Optional<Known> lookup(String uri) {
    String base = uri;
    int query = base.indexOf('?');
    if (query >= 0) {
      base = base.substring(0, query);
    }
    if (base.startsWith("cifar10:") && base.length() > "cifar10:".length()) {
      return Optional.of(CIFAR10_BATCH);
    }
    int second = base.indexOf(':', base.indexOf(':') + 1);
    if (second >= 0) {
      base = base.substring(0, second);
    }
    return Optional.ofNullable(KNOWN.get(base));
  }
}

package dev.shadowfleet.coordinator.sweep;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
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

  /** Longest dataset URI accepted. */
  public static final int MAX_URI_LENGTH = 1024;

  private DatasetCatalog() {}

  /**
   * Why {@code uri} is refused, or empty when it is acceptable: it must be short, free of control and
   * format characters; a bundled dataset's split must be test or train; every file system path in it
   * (the folder, the CIFAR-10 batch, a data directory, a {@code classes=} file) must be absolute and
   * normalized (no {@code .} or {@code ..} segment, no repeated or trailing {@code /}, no {@code \} or
   * {@code %}), and lie under one of {@code roots} when roots are configured. The scheme is checked by
   * the caller.
   */
  public static Optional<String> problem(String uri, List<String> roots) {
    if (uri.length() > MAX_URI_LENGTH) {
      return Optional.of("must be at most " + MAX_URI_LENGTH + " characters, got " + uri.length());
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT
          || Character.isISOControl(c)) {
        return Optional.of("must not contain control or format characters (U+" + String.format("%04X", (int) c) + " at " + i + ")");
      }
    }
    int colon = uri.indexOf(':');
    String scheme = uri.substring(0, colon);
    String rest = uri.substring(colon + 1);
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    Optional<String> bad;
    if (scheme.startsWith("fashion-mnist")) {
      int second = rest.indexOf(':');
      String split = second < 0 ? rest : rest.substring(0, second);
      if (!split.equals("test") && !split.equals("train")) {
        return Optional.of("the split of " + scheme + " must be test or train, got " + split);
      }
      bad = second < 0 ? Optional.empty() : path(rest.substring(second + 1), roots);
    } else {
      bad = path(rest, roots);
    }
    if (bad.isPresent() || query == null) {
      return bad;
    }
    for (String param : query.split("&")) {
      if (param.startsWith("classes=")) {
        bad = path(param.substring("classes=".length()), roots).map(m -> "`classes`: " + m);
        if (bad.isPresent()) {
          return bad;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> path(String p, List<String> roots) {
    if (!p.startsWith("/") || p.indexOf('\\') >= 0 || p.indexOf('%') >= 0) {
      return Optional.of("the path must be absolute, without \\ or %, got " + p);
    }
    try {
      if (!Path.of(p).normalize().toString().equals(p) || p.contains("/../") || p.endsWith("/..")) {
        return Optional.of("the path must be normalized (no . or .. segments, no repeated or trailing /), got " + p);
      }
    } catch (InvalidPathException e) {
      return Optional.of("the path is not valid: " + e.getMessage());
    }
    if (!roots.isEmpty() && roots.stream().noneMatch(r -> p.equals(r) || p.startsWith(r.endsWith("/") ? r : r + "/"))) {
      return Optional.of("the path must lie under one of " + roots + " (shadowfleet.sweep.dataset-roots), got " + p);
    }
    return Optional.empty();
  }

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

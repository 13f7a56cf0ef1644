package dev.shadowfleet.worker.engine.data;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Opened datasets by URI, so a worker reads each file once: thread-safe, opens on first use, keeps
 * what it opened until {@link #clear()}. A URI that fails to open is not remembered (the next call
 * tries again). Datasets are immutable once opened, so sharing them across jobs and threads is safe.
 */
public final class DatasetCache {

  private final Map<String, Dataset> open = new ConcurrentHashMap<>();
  private final Function<String, Dataset> opener;

  /** A cache over {@link DatasetUris#open}. */
  public DatasetCache() {
    this(DatasetUris::open);
  }

  /** A cache over {@code opener} (tests count the opens). */
  public DatasetCache(Function<String, Dataset> opener) {
    this.opener = opener;
  }

  /** The dataset {@code uri} names, opened now or earlier. */
  public Dataset get(String uri) {
    return open.computeIfAbsent(uri, opener);
  }

  /** Number of datasets held. */
  public int size() {
    return open.size();
  }

  /** Forgets every dataset (their memory is freed once no job holds them). */
  public void clear() {
    open.clear();
  }
}

package dev.shadowfleet.worker.engine.model;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The models a worker has loaded, least recently used evicted first once more than {@code capacity}
 * are held; an evicted model's {@link LoadedModel#close() manager is closed}. Thread-safe: one load per
 * id at a time (loads of different ids are serialized too, which is fine for a worker that runs one
 * job at a time). A caller must not keep a model across a later {@link #get} of other ids beyond the
 * capacity.
 */
public final class ModelCache implements AutoCloseable {
  private final int capacity;
  private final Function<String, LoadedModel> loader;
  private final BiConsumer<String, String> verifier;
  private final LinkedHashMap<String, LoadedModel> models = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * @param capacity most models held at once, ≥ 1
   * @param loader loads a model by id (e.g. {@code registry::load})
   */
  public ModelCache(int capacity, Function<String, LoadedModel> loader) {
    this(capacity, loader, (id, sha) -> { });
  }

  /**
   * @param verifier checks a model id against an expected SHA-256 before its first load (e.g. {@code
   *     registry::verify}); throws when it differs
   */
  public ModelCache(int capacity, Function<String, LoadedModel> loader, BiConsumer<String, String> verifier) {
    if (capacity < 1) {
      throw new IllegalArgumentException("`capacity` must be ≥ 1, got " + capacity);
    }
    this.capacity = capacity;
    this.loader = loader;
    this.verifier = verifier;
  }

  public ModelCache(int capacity, ModelRegistry registry) {
    this(capacity, registry::load, registry::verify);
  }

  /**
   * The model {@code id} when it is the file registered with {@code sha256}: verified before its first
   * load (nothing of a file that differs is loaded), and a held model's card must name that checksum.
   *
   * @throws ModelChecksumException when the file or the held model differs from {@code sha256}
   */
  public synchronized LoadedModel get(String id, String sha256) {
    LoadedModel m = models.get(id);
    if (m != null) {
      if (!m.card().sha256().equalsIgnoreCase(sha256)) {
        throw new ModelChecksumException("model " + id + " is registered with SHA-256 " + sha256
            + ", this worker holds one with " + m.card().sha256());
      }
      return m;
    }
    verifier.accept(id, sha256);
    return get(id);
  }

  /** The model {@code id}, loaded on first use. */
  public synchronized LoadedModel get(String id) {
    LoadedModel m = models.get(id);
    if (m == null) {
      m = loader.apply(id);
      models.put(id, m);
      evictOverCapacity();
    }
    return m;
  }

  public synchronized boolean contains(String id) {
    return models.containsKey(id);
  }

  public synchronized int size() {
    return models.size();
  }

  private void evictOverCapacity() {
    Iterator<Map.Entry<String, LoadedModel>> it = models.entrySet().iterator();
    while (models.size() > capacity && it.hasNext()) {
      LoadedModel eldest = it.next().getValue();
      it.remove();
      eldest.close();
    }
  }

  /** Closes every held model. */
  @Override
  public synchronized void close() {
    models.values().forEach(LoadedModel::close);
    models.clear();
  }
}

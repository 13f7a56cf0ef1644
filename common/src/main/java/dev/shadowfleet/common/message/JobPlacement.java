package dev.shadowfleet.common.message;

/**
 * Which partition of {@link Topics#JOBS} a job goes to: all targets of one (sweep, model, image) on one
 * partition (one worker attacks them in one batch, as with the {@link Topics#key} hash), and the images of
 * a sweep spread evenly over the partitions instead of where their key's hash happens to fall.
 *
 * <p>Why: a consumer group gives each worker a fixed set of partitions and nothing moves work between them,
 * so a worker whose partitions hold fewer images sits idle while another still has a backlog. With the
 * key hash, a sweep of 20 images × 2 models has 40 keys for 24 partitions: some partitions get three,
 * others none, and one worker's half easily holds half again as many images as the other's. Here:
 *
 * <ul>
 *   <li>the images of each model are dealt round-robin over all partitions, so every partition holds
 *       ⌊N/P⌋ or ⌈N/P⌉ images of each model (whatever the assignment, a worker's share differs from
 *       another's by at most its partition count, per model);
 *   <li>the dealing steps by {@link #stride}, coprime with P and just above P/2, so consecutive images
 *       alternate between the lower and upper half of the partitions and between even and odd
 *       partitions: the last, partial round is split evenly by the usual assignments of two workers
 *       (contiguous ranges or round robin), to one image;
 *   <li>each model starts at its own offset (model m of M at m·P/M), so the models' partial rounds fall
 *       on different partitions;
 *   <li>each sweep continues the dealing from its own image ordinal R = hash(sweep id) mod P
 *       ({@link #rotation}). Without it every sweep deals its first image to the same partition, so the
 *       partial rounds of many small sweeps (a reproduction cut into 5-image chunks, single-image
 *       sweeps) all fall on the same few partitions and one worker gets the odd image every time; with
 *       it they spread. Within one sweep two workers' shares then differ by at most two images per model
 *       (one when R is even).
 * </ul>
 *
 * A job's partition depends only on the sweep's id and shape and the partition count, so a re-published
 * job lands where it did before. Jobs a worker re-publishes for a retry go by the key hash (any partition is
 * right for a single job).
 */
public final class JobPlacement {
  private JobPlacement() {}

  /**
   * The partition of the job with sequence number {@code seq} (image-major: {@code ((image ordinal × models)
   * + model ordinal) × targets + target ordinal}, as the coordinator numbers them).
   */
  public static int partition(String sweepId, long seq, int models, int targets, int partitions) {
    if (seq < 0 || models < 1 || targets < 1 || partitions < 1) {
      throw new IllegalArgumentException("seq " + seq + ", models " + models + ", targets " + targets
          + ", partitions " + partitions + ": need seq ≥ 0 and the others ≥ 1");
    }
    long key = seq / targets;
    return partitionOf(key / models + rotation(sweepId, partitions), (int) (key % models), models, partitions);
  }

  /** The image ordinal from which a sweep continues the dealing: its id's hash mod P. */
  public static int rotation(String sweepId, int partitions) {
    return Math.floorMod(sweepId.hashCode(), partitions);
  }

  /**
   * The partition of image ordinal {@code image} of model ordinal {@code model}, dealing from ordinal 0 (a
   * sweep's image i is ordinal i + its {@link #rotation}).
   */
  public static int partitionOf(long image, int model, int models, int partitions) {
    long offset = (long) model * partitions / models;
    return (int) Math.floorMod(image * stride(partitions) + offset, (long) partitions);
  }

  /** The smallest number above P/2 that is coprime with P (1 for P = 1). */
  static int stride(int partitions) {
    if (partitions == 1) {
      return 1;
    }
    int s = partitions / 2 + 1;
    while (gcd(s, partitions) != 1) {
      s++;
    }
    return s;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}

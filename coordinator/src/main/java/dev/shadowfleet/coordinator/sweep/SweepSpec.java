package dev.shadowfleet.coordinator.sweep;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import java.util.List;
import java.util.Map;

/**
 * A validated sweep, stored as {@code sweeps.spec}: the relay builds every job message from it.
 * Images are either the range {@code [imageFrom, imageTo)} or {@code imageList}.
 *
 * @param dataset dataset URI
 * @param datasetSize images in the dataset (known, or given by the request)
 * @param imageFrom first image of the range (null with a list)
 * @param imageTo end of the range, exclusive (null with a list)
 * @param imageList image indices (null with a range)
 * @param models model ids, in request order
 * @param targets target classes, ascending
 * @param preset attack preset id
 * @param overrides attack parameter overrides
 * @param smoothing randomized-smoothing settings (used by smoothed models)
 * @param ibp interval-bound settings (used by IBP models)
 * @param priority higher first
 * @param seed base of the job seeds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepSpec(
    String dataset,
    long datasetSize,
    Integer imageFrom,
    Integer imageTo,
    List<Integer> imageList,
    List<String> models,
    List<Integer> targets,
    String preset,
    Map<String, Object> overrides,
    SmoothingParams smoothing,
    IbpParams ibp,
    int priority,
    long seed) {

  @JsonIgnore
  public long imageCount() {
    return imageList != null ? imageList.size() : (long) imageTo - imageFrom;
  }

  @JsonIgnore
  public long jobCount() {
    return imageCount() * models.size() * targets.size();
  }

  /** The seed of one job: a fixed mix of the sweep seed and the job id, the same on every re-publish. */
  public static long jobSeed(long sweepSeed, String jobId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < jobId.length(); i++) {
      h = (h ^ jobId.charAt(i)) * 0x100000001b3L;
    }
    long z = h ^ sweepSeed;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}

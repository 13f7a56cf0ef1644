package dev.shadowfleet.coordinator.api;

import java.util.List;

/**
 * The comparison of sweeps ({@code GET /api/compare?sweeps=a,b}): typically the same images and models
 * attacked with the 1-channel and the 3-channel preset (paper Table 1 reports both).
 */
public final class CompareViews {
  private CompareViews() {}

  /**
   * @param sweeps each sweep with its attack settings and per-model summary, in request order
   * @param paired per model, the first sweep against each other one on the images both have (same dataset,
   *     model and image index, natural certificate not abstaining in both); empty when datasets differ
   */
  public record Comparison(List<SweepSide> sweeps, List<Paired> paired) {}

  /**
   * @param channelMode the resolved attack's {@code ONE_CHANNEL} or {@code THREE_CHANNEL}
   * @param models Table 1 / Table 2 per model ({@code successByTarget} and {@code histogram} left out)
   */
  public record SweepSide(
      String sweepId, String dataset, String preset, String channelMode, String state,
      List<ResultViews.ModelSummary> models) {}

  /**
   * One model, sweep {@code a} (the first requested) against sweep {@code b}, over {@code images} images
   * certified (not abstaining) in both.
   *
   * @param successA images whose Shadow Attack succeeded in a
   * @param successBoth ... in both
   * @param attackRadiusMeanA mean Shadow Attack radius in a (0 for a failed attack, as Table 1)
   * @param attackRadiusMeanDiff mean of (radius in b − radius in a) over the same images
   */
  public record Paired(
      String modelId, String sweepA, String sweepB, long images, long successA, long successB, long successBoth,
      Double attackRadiusMeanA, Double attackRadiusMeanB, Double attackRadiusMeanDiff) {}
}

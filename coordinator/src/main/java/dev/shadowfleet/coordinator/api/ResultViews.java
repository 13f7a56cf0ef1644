package dev.shadowfleet.coordinator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.util.List;

/** Response records of the results API: summaries (the paper's tables), one image, histograms. */
public final class ResultViews {
  private ResultViews() {}

  /**
   * A sweep's summaries, one per model (from the view {@code v_model_summary}).
   *
   * @param ibpFamily min / mean / max of Table 2's errors over the sweep's IBP models (null without any)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Summary(String sweepId, List<ModelSummary> models, Family ibpFamily) {}

  /**
   * One model's numbers over the best outcome of each image.
   *
   * @param images images with at least one result
   * @param abstainedImages images whose natural certificate abstained (or that never ran)
   * @param certifiedImages the others: Table 1's population
   * @param successfulImages of those, images with a spoofed certificate
   */
  public record ModelSummary(
      String modelId, String kind, Double sigma, Double epsilon, long images, long abstainedImages,
      long certifiedImages, long successfulImages, Table1 table1, Table2 table2, List<TargetRate> successByTarget,
      Histogram histogram) {}

  /**
   * Table 1 (randomized smoothing) over non-abstained images; the attack radius of an image whose best
   * attack failed counts as 0. Standard deviations are sample ones (n − 1); null below two images.
   */
  public record Table1(
      Double naturalRadiusMean, Double naturalRadiusStddev, Double attackRadiusMean, Double attackRadiusStddev,
      Double successRate) {}

  /**
   * Table 2 (interval bounds): robust error on natural images (wrongly labelled or not certified) and
   * attack error on Shadow Attack images (correctly labelled or not certified).
   */
  public record Table2(Double robustError, Double attackError) {}

  /** Min / mean / max of Table 2's errors over several models. */
  public record Family(int models, Range robustError, Range attackError) {}

  public record Range(double min, double mean, double max) {}

  /** Jobs of one target class that ran (DONE) and how many of them spoofed a certificate. */
  public record TargetRate(int target, long jobs, long successes, double rate) {}

  /**
   * Radius histogram over non-abstained images (Figure 9): the same {@code bins} equal bins of
   * [0, upper] for both; bin i holds edges[i] ≤ r &lt; edges[i+1] (the last bin includes upper).
   */
  public record Histogram(List<Double> edges, List<Long> natural, List<Long> attack) {}

  /**
   * One image: its natural certificate, every target's job and result, and the best outcome.
   *
   * @param natural the natural image's certificate (JSON, as the worker sent it)
   * @param best the best outcome (null before any result)
   * @param images base64 PNGs of the best outcome (natural, perturbation, adversarial), when stored
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ImageDetail(
      String sweepId, String modelId, int imageIndex, Integer label, @JsonRawValue String natural,
      Views.OutcomeView best, List<TargetOutcome> targets, @JsonRawValue String images) {}

  /** One target of an image: the job's state and, once it has one, its result. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TargetOutcome(
      int target, String jobId, String state, String reason, String status, Boolean success,
      Boolean targetedSuccess, Integer attackLabel, Boolean attackCertified, Double attackRadius,
      String attackMethod, Double spoofLoss, Double tv, Double deltaL2, Double deltaLinf, Boolean hasImages) {}
}

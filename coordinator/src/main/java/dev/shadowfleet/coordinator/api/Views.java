package dev.shadowfleet.coordinator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.OffsetDateTime;
import java.util.List;

/** The response records of the API (bound explicitly; entities never leave the service layer). */
public final class Views {
  private Views() {}

  /** A registered model. */
  public record ModelView(
      String id, String kind, Double sigma, Double epsilon, int channels, int numClasses, String sha256,
      @JsonRawValue String card, OffsetDateTime registeredAt) {}

  /**
   * Compute cost of a sweep: jobs × seconds per job, per model.
   *
   * @param computeSeconds total compute seconds of the jobs still to run (all jobs at submission)
   * @param models per model: jobs, seconds per job and where that figure comes from
   */
  public record Estimate(double computeSeconds, List<ModelCost> models) {}

  /**
   * @param basis {@code measured} (mean compute seconds of finished jobs of this model and preset) or
   *     {@code configured} (shadowfleet.sweep.default-job-seconds…)
   */
  public record ModelCost(String modelId, long jobs, double secondsPerJob, String basis, long measuredJobs) {}

  /** Job counts by state. {@code running} stays 0 until workers report starts (not in the message contract). */
  public record Progress(
      long queued, long running, long done, long skipped, long failed, long cancelled, long finished, double percent) {}

  /**
   * Expected time to finish at the sweep's mean rate so far (finished jobs between its first and latest
   * ingested result); null before any result, or when the sweep is no longer active.
   */
  public record Eta(double seconds, double resultsPerSecond) {}

  /** A sweep with its progress. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SweepView(
      String id,
      String state,
      String dataset,
      String preset,
      int priority,
      String submittedBy,
      long jobs,
      long published,
      Progress progress,
      Eta eta,
      Estimate estimate,
      OffsetDateTime createdAt,
      OffsetDateTime cancelledAt,
      OffsetDateTime completedAt,
      @JsonRawValue String spec) {}

  /** One job, with its stored result when there is one. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record JobView(
      String id, String sweepId, String modelId, int imageIndex, int target, long seq, String state,
      int attempts, String reason, boolean published, @JsonRawValue String result) {}

  /**
   * The best outcome of one image (the best-per-image rule over all its stored results).
   *
   * @param hasImages the best result has stored PNGs ({@code /api/sweeps/{id}/images/{model}/{index}/{kind}.png})
   */
  public record OutcomeView(
      String sweepId, String modelId, int imageIndex, String bestJobId, int target, String status, int label,
      boolean success, boolean targetedSuccess, Integer naturalLabel, Boolean naturalCertified,
      Double naturalRadius, Integer attackLabel, Boolean attackCertified, Double attackRadius,
      String attackMethod, Double spoofLoss, Double tv, int results, boolean hasImages) {}
}

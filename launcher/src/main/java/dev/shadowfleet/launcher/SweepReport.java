package dev.shadowfleet.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code up} prints about a sweep: a one-line progress bar from {@code GET /api/sweeps/{id}} and,
 * at the end, Table-1/Table-2-style summaries computed from the best outcome per image.
 */
final class SweepReport {
  private SweepReport() {}

  /** True when every job of the sweep has reached a final state (or the sweep says it is over). */
  static boolean finished(JsonNode sweep) {
    long jobs = sweep.path("jobs").asLong(0);
    long finished = sweep.path("progress").path("finished").asLong(0);
    return sweep.hasNonNull("completedAt")
        || sweep.hasNonNull("cancelledAt")
        || (jobs > 0 && finished >= jobs);
  }

  /** e.g. {@code [##########..........]  50.0%  450/900 jobs  done 447  failed 3  ETA 2m10s}. */
  static String progressLine(JsonNode sweep, int width) {
    JsonNode p = sweep.path("progress");
    long jobs = sweep.path("jobs").asLong(0);
    long finished = p.path("finished").asLong(0);
    double fraction = jobs == 0 ? 0 : Math.min(1.0, (double) finished / jobs);
    int filled = (int) Math.round(fraction * width);
    StringBuilder b = new StringBuilder("[");
    b.append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
    b.append(String.format(Locale.ROOT, "%5.1f%%  %d/%d jobs  done %d", 100 * fraction, finished, jobs,
        p.path("done").asLong(0)));
    if (p.path("failed").asLong(0) > 0) {
      b.append("  failed ").append(p.path("failed").asLong());
    }
    if (p.path("skipped").asLong(0) > 0) {
      b.append("  skipped ").append(p.path("skipped").asLong());
    }
    JsonNode eta = sweep.path("eta");
    if (eta.hasNonNull("seconds") && !finished(sweep)) {
      b.append("  ETA ").append(duration(eta.get("seconds").asDouble()));
    }
    return b.toString();
  }

  static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 3600
        ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }

  /** Per-model figures over the best outcome of each image. */
  record ModelSummary(
      String model,
      int images,
      int naturalCorrect,
      int naturalCertified,
      double meanNaturalRadius,
      int spoofed,
      double meanSpoofedRadius) {}

  /**
   * Summaries per model, in the order the outcomes list them. An image counts as naturally certified
   * when the natural image is certified with its true label; as spoofed when the attacked image is
   * misclassified and certified (the attack's success); radii are means over those images.
   */
  static List<ModelSummary> summarize(List<JsonNode> outcomes) {
    Map<String, List<JsonNode>> byModel = new LinkedHashMap<>();
    for (JsonNode o : outcomes) {
      byModel.computeIfAbsent(o.path("modelId").asText(), k -> new ArrayList<>()).add(o);
    }
    List<ModelSummary> out = new ArrayList<>();
    for (var e : byModel.entrySet()) {
      int correct = 0;
      int certified = 0;
      int spoofed = 0;
      double naturalRadius = 0;
      double spoofedRadius = 0;
      for (JsonNode o : e.getValue()) {
        boolean right = o.hasNonNull("naturalLabel") && o.get("naturalLabel").asInt() == o.path("label").asInt();
        if (right) {
          correct++;
          if (o.path("naturalCertified").asBoolean(false)) {
            certified++;
            naturalRadius += o.path("naturalRadius").asDouble(0);
          }
        }
        if (o.path("success").asBoolean(false)) {
          spoofed++;
          spoofedRadius += o.path("attackRadius").asDouble(0);
        }
      }
      out.add(new ModelSummary(e.getKey(), e.getValue().size(), correct, certified,
          certified == 0 ? Double.NaN : naturalRadius / certified, spoofed,
          spoofed == 0 ? Double.NaN : spoofedRadius / spoofed));
    }
    return out;
  }

  /**
   * The summary tables: smoothed models as in the paper's Table 1 (certified ℓ2 radii, natural vs Shadow
   * Attack), IBP models as in its Table 2 (certified accuracy vs the rate of spoofed certificates).
   *
   * @param kinds model id → "smoothed σ=0.25" / "ibp ε=0.1" (from {@code GET /api/models})
   */
  static String tables(List<ModelSummary> summaries, Map<String, String> kinds) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-26s %-16s %7s %10s %11s %10s %11s%n", "model", "kind", "images",
        "nat. acc", "nat. cert.", "spoofed", "radius"));
    b.append(String.format(Locale.ROOT, "%-26s %-16s %7s %10s %11s %10s %11s%n", "", "", "",
        "", "(mean r)", "(success)", "nat → adv"));
    for (ModelSummary s : summaries) {
      b.append(String.format(Locale.ROOT, "%-26s %-16s %7d %9.1f%% %5.1f%% %5s %9.1f%% %5s → %-5s%n",
          s.model(), kinds.getOrDefault(s.model(), "?"), s.images(), pct(s.naturalCorrect(), s.images()),
          pct(s.naturalCertified(), s.images()), num(s.meanNaturalRadius()), pct(s.spoofed(), s.images()),
          num(s.meanNaturalRadius()), num(s.meanSpoofedRadius())));
    }
    b.append("nat. acc: natural image classified correctly; nat. cert.: and certified (mean certified radius;\n")
        .append("ℓ2 for smoothed, the model's ε for IBP); spoofed: Shadow Attack made the certified classifier\n")
        .append("mislabel the image and still certify it (mean radius of those certificates after →).\n");
    return b.toString();
  }

  private static double pct(int k, int n) {
    return n == 0 ? 0 : 100.0 * k / n;
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }
}

package dev.shadowfleet.worker.report;

import dev.shadowfleet.worker.engine.certify.RandomizedSmoothingCertifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The paper's summaries over best-per-image outcomes (ALGORITHM.md, "Outcomes and metrics"; the same
 * definitions as the coordinator's {@code v_model_summary}): Table 1 over images whose natural
 * certificate does not abstain, Table 2 over images with a natural certificate or prediction, and the
 * min / mean / max of Table 2 over a family of models.
 */
public final class ReproStats {
  private ReproStats() {}

  /**
   * Table 1 for one model.
   *
   * @param images outcomes read
   * @param abstained natural certificate abstained (no attack)
   * @param certified the others (the rows of Table 1)
   * @param naturalMean mean natural radius; {@code naturalStd} its sample standard deviation (n − 1)
   * @param attackMean mean spoofed radius, a failed attack counting 0; {@code attackStd} likewise
   * @param successRate successful images / certified images
   * @param spoofedMean mean radius over the successful images only
   * @param targetedRate images whose best outcome is certified as its target / certified images
   */
  public record Table1(String model, int images, int abstained, int certified, double naturalMean,
      double naturalStd, double attackMean, double attackStd, int successes, double successRate,
      double spoofedMean, double targetedRate) {}

  /**
   * Table 2 for one model.
   *
   * @param images images with a natural certificate or prediction
   * @param robustErrors images whose natural image is wrongly labelled or not certified
   * @param attackErrors images whose attack image is correctly labelled or not certified
   */
  public record Table2(String model, int images, int robustErrors, int attackErrors) {
    /** robustErrors / images, NaN without images. */
    public double robustError() {
      return images == 0 ? Double.NaN : (double) robustErrors / images;
    }

    /** attackErrors / images, NaN without images. */
    public double attackError() {
      return images == 0 ? Double.NaN : (double) attackErrors / images;
    }
  }

  /**
   * A model's spoofed certificates against its natural ones, image by image, over the images with a
   * natural certificate.
   *
   * @param ceiling the largest radius the certification budget can issue: σ·Φ⁻¹(α^{1/n}), when all n
   *     noise draws vote for one class (NaN when the budget is not known)
   * @param atCeiling images whose natural radius is at the ceiling: no certificate can be larger
   * @param larger images whose spoofed (wrong-class) radius exceeds their natural radius
   * @param largerBelowCeiling ... of the {@code certified − atCeiling} images below the ceiling
   */
  public record SpoofVsNatural(String model, int certified, double ceiling, int atCeiling, int larger,
      int largerBelowCeiling) {}

  /** min / mean / max of a metric over a family of models. */
  public record Spread(double min, double mean, double max) {}

  /** A two-sided confidence interval of a proportion. */
  public record Interval(double low, double high) {}

  /**
   * The two-sided Clopper–Pearson interval of a proportion from {@code k} of {@code n} at confidence
   * {@code 1 − alpha}: each end is the one-sided bound at α/2 (the certifier's own
   * {@link RandomizedSmoothingCertifier#lowerConfidenceBound}), the upper end by symmetry from the
   * failures. The report's images are a sample of the test set: the interval says how far a rate
   * measured on them may be from the rate on all of it.
   */
  public static Interval clopperPearson(int k, int n, double alpha) {
    if (n <= 0) {
      throw new IllegalArgumentException("n must be positive, got " + n);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    return new Interval(RandomizedSmoothingCertifier.lowerConfidenceBound(k, n, alpha / 2),
        1 - RandomizedSmoothingCertifier.lowerConfidenceBound(n - k, n, alpha / 2));
  }

  /** Table 1 of one model's outcomes. */
  public static Table1 table1(String model, List<OutcomeRow> rows) {
    List<OutcomeRow> cert = rows.stream().filter(OutcomeRow::naturalIssued).toList();
    double[] nat = cert.stream().mapToDouble(r -> r.naturalRadius() == null ? 0 : r.naturalRadius()).toArray();
    double[] att = cert.stream().mapToDouble(OutcomeRow::spoofedRadius).toArray();
    int ok = (int) cert.stream().filter(OutcomeRow::success).count();
    double[] spoofed = cert.stream().filter(OutcomeRow::success).mapToDouble(OutcomeRow::spoofedRadius).toArray();
    long targeted = cert.stream().filter(OutcomeRow::targetedSuccess).count();
    int n = cert.size();
    return new Table1(model, rows.size(), rows.size() - n, n, mean(nat), sampleStd(nat), mean(att),
        sampleStd(att), ok, n == 0 ? Double.NaN : (double) ok / n, mean(spoofed),
        n == 0 ? Double.NaN : (double) targeted / n);
  }

  /**
   * Spoofed against natural radius for one model's outcomes; a natural radius within a relative 1e-9 of
   * {@code ceiling} counts as at the ceiling (the certifier computes both the same way).
   */
  public static SpoofVsNatural spoofVsNatural(String model, List<OutcomeRow> rows, double ceiling) {
    int certified = 0;
    int atCeiling = 0;
    int larger = 0;
    int largerBelow = 0;
    for (OutcomeRow r : rows) {
      if (!r.naturalIssued()) {
        continue;
      }
      certified++;
      double natural = r.naturalRadius() == null ? 0 : r.naturalRadius();
      boolean top = natural >= ceiling * (1 - 1e-9); // false when the ceiling is NaN
      boolean wins = r.spoofedRadius() > natural; // 0 when the attack failed
      atCeiling += top ? 1 : 0;
      larger += wins ? 1 : 0;
      largerBelow += wins && !top ? 1 : 0;
    }
    return new SpoofVsNatural(model, certified, ceiling, atCeiling, larger, largerBelow);
  }

  /** Table 2 of one model's outcomes. */
  public static Table2 table2(String model, List<OutcomeRow> rows) {
    List<OutcomeRow> seen = rows.stream().filter(OutcomeRow::naturalComputed).toList();
    return new Table2(model, seen.size(), (int) seen.stream().filter(OutcomeRow::robustError).count(),
        (int) seen.stream().filter(OutcomeRow::attackError).count());
  }

  /** min / mean (unweighted, over models) / max. */
  public static Spread spread(double[] v) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    return v.length == 0 ? new Spread(Double.NaN, Double.NaN, Double.NaN) : new Spread(min, mean(v), max);
  }

  /** Rows grouped by model, models in first-seen order, each model's rows by image index. */
  public static Map<String, List<OutcomeRow>> byModel(List<OutcomeRow> rows) {
    Map<String, List<OutcomeRow>> out = new LinkedHashMap<>();
    for (OutcomeRow r : rows) {
      out.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r);
    }
    out.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(OutcomeRow::image)));
    return out;
  }

  /**
   * Success rate per true class over images with an issued natural certificate:
   * class → {successful, images}.
   */
  public static Map<Integer, int[]> successByLabel(List<OutcomeRow> rows) {
    Map<Integer, int[]> out = new TreeMap<>();
    for (OutcomeRow r : rows) {
      if (r.naturalIssued()) {
        int[] c = out.computeIfAbsent(r.label(), k -> new int[2]);
        c[0] += r.success() ? 1 : 0;
        c[1]++;
      }
    }
    return out;
  }

  /**
   * Counts of {@code values} in {@code bins} equal bins of [0, top]; a value equal to top falls in the
   * last bin, values outside [0, top] are not counted.
   */
  public static int[] histogram(double[] values, int bins, double top) {
    int[] h = new int[bins];
    for (double v : values) {
      if (v < 0 || v > top || top <= 0) {
        continue;
      }
      h[Math.min(bins - 1, (int) Math.floor(v / top * bins))]++;
    }
    return h;
  }

  /** Arithmetic mean, NaN when empty. */
  public static double mean(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Sample standard deviation (n − 1), NaN below two values. */
  public static double sampleStd(double[] v) {
    if (v.length < 2) {
      return Double.NaN;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}

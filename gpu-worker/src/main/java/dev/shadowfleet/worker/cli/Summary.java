package dev.shadowfleet.worker.cli;

import dev.shadowfleet.worker.engine.attack.ImageOutcome;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The end-of-run tables (ALGORITHM.md, "Outcomes and metrics"). */
final class Summary {
  private Summary() {}

  /** Prints the Table-1 (smoothing) or Table-2 (IBP) summary and returns its figures. */
  static Map<String, Object> print(PrintStream out, List<ImageOutcome> outcomes, boolean ibp) {
    return ibp ? table2(out, outcomes) : table1(out, outcomes);
  }

  /**
   * Over the images whose natural certificate does not abstain: mean ± std of the natural radius and
   * of the best attack's radius (over the spoofed images; a failed attack has no spoofed radius), and
   * the success rate.
   */
  private static Map<String, Object> table1(PrintStream out, List<ImageOutcome> outcomes) {
    List<ImageOutcome> kept = outcomes.stream().filter(o -> !o.skipped()).toList();
    double[] natural = kept.stream().mapToDouble(o -> o.natural().radius()).toArray();
    double[] attack = kept.stream().filter(ImageOutcome::success)
        .mapToDouble(o -> o.bestOutcome().decisive().radius()).toArray();
    long targeted = kept.stream().filter(ImageOutcome::targetedSuccess).count();
    double rate = kept.isEmpty() ? 0 : (double) attack.length / kept.size();
    out.println();
    Reports.table(out,
        List.of("images", "abstained", "natural radius", "Shadow Attack radius", "success"),
        List.of(List.of(String.valueOf(outcomes.size()),
            String.valueOf(outcomes.size() - kept.size()), Reports.meanStd(natural),
            Reports.meanStd(attack),
            String.format("%d/%d (%.1f%%)", attack.length, kept.size(), 100 * rate))));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("table", "randomized-smoothing");
    s.put("images", outcomes.size());
    s.put("abstained", outcomes.size() - kept.size());
    s.put("naturalRadius", natural);
    s.put("attackRadius", attack);
    s.put("successes", attack.length);
    s.put("targetedSuccesses", targeted);
    s.put("successRate", rate);
    return s;
  }

  /**
   * Robust error (natural images: wrongly labelled or not certified) next to attack error (Shadow
   * Attack images: correctly labelled or not certified, i.e. not spoofed).
   */
  private static Map<String, Object> table2(PrintStream out, List<ImageOutcome> outcomes) {
    int n = outcomes.size();
    long robustErrors = outcomes.stream()
        .filter(o -> !(o.natural().issued() && o.natural().label() == o.label())).count();
    long attackErrors = outcomes.stream().filter(o -> !o.success()).count();
    double robust = n == 0 ? 0 : 100.0 * robustErrors / n;
    double attack = n == 0 ? 0 : 100.0 * attackErrors / n;
    out.println();
    Reports.table(out, List.of("images", "robust error (natural)", "attack error (Shadow Attack)"),
        List.of(List.of(String.valueOf(n), String.format("%.2f%% (%d)", robust, robustErrors),
            String.format("%.2f%% (%d)", attack, attackErrors))));
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("table", "ibp");
    s.put("images", n);
    s.put("robustErrorPercent", robust);
    s.put("attackErrorPercent", attack);
    return s;
  }
}

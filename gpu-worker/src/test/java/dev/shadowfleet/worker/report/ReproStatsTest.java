package dev.shadowfleet.worker.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table math against numbers computed by hand from a small CSV in the coordinator's export format
 * (the values in the comments are the hand computation).
 */
class ReproStatsTest {
  static final String HEADER = "model_id,image_index,label,target,status,success,targeted_success,natural_label,"
      + "natural_certified,natural_radius,attack_label,attack_certified,attack_radius,attack_method,spoof_loss,tv,"
      + "delta_l2,delta_linf,results,best_job_id";

  @TempDir Path dir;

  @Test
  void table1ByHand() throws Exception {
    Path csv = dir.resolve("t1.csv");
    Files.writeString(csv, HEADER + "\n"
        + "rs,0,3,5,DONE,true,true,3,true,0.5,5,true,0.7,CERTIFY,0.1,2.0,3.0,0.5,9,\"rs/0/5\"\n"
        + "rs,1,1,2,DONE,false,false,1,true,0.3,1,true,0.2,CERTIFY,1.5,1.0,2.0,0.4,9,rs/1/2\n"
        + "rs,2,2,,SKIPPED_ABSTAIN,false,false,-1,false,,,,,,,,,,1,rs/2/0\n"
        + "rs,3,4,7,DONE,t,f,4,t,0.1,6,t,0.4,CERTIFY,0.2,1.0,1.0,0.3,9,\"a,\"\"b\"\"\"\n");
    List<OutcomeRow> rows = OutcomeCsv.read(csv);
    assertEquals(4, rows.size());
    ReproStats.Table1 t = ReproStats.table1("rs", rows);
    assertEquals(4, t.images());
    assertEquals(1, t.abstained());
    assertEquals(3, t.certified());
    // natural radii 0.5, 0.3, 0.1: mean 0.3, sample std sqrt((0.04 + 0 + 0.04) / 2) = 0.2
    assertEquals(0.3, t.naturalMean(), 1e-12);
    assertEquals(0.2, t.naturalStd(), 1e-12);
    // spoofed radii 0.7, 0 (failed), 0.4: mean 1.1/3; squares of deviations 0.1111.., 0.1344.., 0.0011..
    // sum 0.246667, / 2 = 0.123333, sqrt = 0.351188
    assertEquals(1.1 / 3, t.attackMean(), 1e-12);
    assertEquals(0.3511884584, t.attackStd(), 1e-9);
    assertEquals(2, t.successes());
    assertEquals(2.0 / 3, t.successRate(), 1e-12);
    assertEquals(1.0 / 3, t.targetedRate(), 1e-12);
    assertEquals(0.55, t.spoofedMean(), 1e-12); // (0.7 + 0.4) / 2
    var byLabel = ReproStats.successByLabel(rows);
    assertArrayEquals(new int[] {1, 1}, byLabel.get(3));
    assertArrayEquals(new int[] {0, 1}, byLabel.get(1));
    assertFalse(byLabel.containsKey(2)); // abstained: not counted
  }

  @Test
  void spoofedAgainstNaturalByHand() throws Exception {
    Path csv = dir.resolve("cmp.csv");
    Files.writeString(csv, HEADER + "\n"
        // at the ceiling 0.5 (to within rounding), spoofed larger
        + "rs,0,3,5,DONE,true,true,3,true,0.49999999999,5,true,0.7,CERTIFY,0.1,2.0,3.0,0.5,9,a\n"
        // failed attack with a larger radius for the true class: not a spoofed certificate
        + "rs,1,1,2,DONE,false,false,1,true,0.3,1,true,0.6,CERTIFY,1.5,1.0,2.0,0.4,9,b\n"
        + "rs,2,2,,SKIPPED_ABSTAIN,false,false,-1,false,,,,,,,,,,1,c\n"
        // below the ceiling, spoofed larger
        + "rs,3,4,7,DONE,true,false,4,true,0.1,6,true,0.4,CERTIFY,0.2,1.0,1.0,0.3,9,d\n"
        // below the ceiling, spoofed smaller
        + "rs,4,5,7,DONE,true,true,5,true,0.45,7,true,0.2,CERTIFY,0.2,1.0,1.0,0.3,9,e\n");
    List<OutcomeRow> rows = OutcomeCsv.read(csv);
    ReproStats.SpoofVsNatural c = ReproStats.spoofVsNatural("rs", rows, 0.5);
    assertEquals(4, c.certified());
    assertEquals(1, c.atCeiling());
    assertEquals(2, c.larger());
    assertEquals(1, c.largerBelowCeiling());
    ReproStats.SpoofVsNatural unknown = ReproStats.spoofVsNatural("rs", rows, Double.NaN);
    assertEquals(0, unknown.atCeiling());
    assertEquals(2, unknown.largerBelowCeiling());
  }

  @Test
  void table2ByHand() throws Exception {
    Path csv = dir.resolve("t2.csv");
    Files.writeString(csv, HEADER + "\n"
        // correct + certified; attack certified as another class: neither error
        + "ibp,0,0,2,DONE,true,true,0,true,0.1,2,true,0.1,IBP,0.1,1,1,0.1,9,x\n"
        // not certified: robust error; attack not certified: attack error
        + "ibp,1,1,3,DONE,false,false,1,false,0.1,3,false,0.1,IBP,0.1,1,1,0.1,9,x\n"
        // wrong natural label: robust error; attack keeps the true label: attack error
        + "ibp,2,2,4,DONE,false,false,5,true,0.1,2,true,0.1,IBP,0.1,1,1,0.1,9,x\n"
        // correct; no attack image: attack error
        + "ibp,3,3,,DONE,false,false,3,true,0.1,,,,,,,,,9,x\n"
        // never ran: not counted
        + "ibp,4,4,,CANCELLED,false,false,,,,,,,,,,,,0,x\n");
    ReproStats.Table2 t = ReproStats.table2("ibp", OutcomeCsv.read(csv));
    assertEquals(4, t.images());
    assertEquals(0.5, t.robustError(), 1e-12); // images 1, 2
    assertEquals(0.75, t.attackError(), 1e-12); // images 1, 2, 3
  }

  @Test
  void clopperPearsonIntervalAgainstClosedFormsBinomialTailsAndScipy() {
    // all or none: the open end has the closed form (α/2)^(1/n)
    ReproStats.Interval all = ReproStats.clopperPearson(53, 53, 0.05);
    assertEquals(Math.pow(0.025, 1.0 / 53), all.low(), 1e-12);
    assertEquals(1.0, all.high());
    ReproStats.Interval none = ReproStats.clopperPearson(0, 60, 0.05);
    assertEquals(0.0, none.low());
    assertEquals(1 - Math.pow(0.025, 1.0 / 60), none.high(), 1e-12);
    // inside: each end is where the binomial tail beyond k, summed term by term, is α/2
    for (int[] kn : new int[][] {{21, 25}, {5, 60}, {3, 4}, {1, 3}}) {
      int k = kn[0];
      int n = kn[1];
      ReproStats.Interval ci = ReproStats.clopperPearson(k, n, 0.05);
      assertEquals(0.025, binomialTail(n, ci.low(), k, n), 1e-9, k + "/" + n + " low");
      assertEquals(0.025, binomialTail(n, ci.high(), 0, k), 1e-9, k + "/" + n + " high");
    }
    // scipy.stats.beta.ppf(0.025, 21, 5) and beta.ppf(0.975, 22, 4)
    ReproStats.Interval mid = ReproStats.clopperPearson(21, 25, 0.05);
    assertEquals(0.6391715455407279, mid.low(), 1e-9);
    assertEquals(0.9546205476282904, mid.high(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> ReproStats.clopperPearson(1, 0, 0.05));
    assertThrows(IllegalArgumentException.class, () -> ReproStats.clopperPearson(1, 2, 1.0));
  }

  /** P(from ≤ X ≤ to) for X ~ Binomial(n, p), term by term. */
  private static double binomialTail(int n, double p, int from, int to) {
    double sum = 0;
    for (int i = from; i <= to; i++) {
      double logChoose = 0;
      for (int j = 1; j <= i; j++) {
        logChoose += Math.log(n - i + j) - Math.log(j);
      }
      sum += Math.exp(logChoose + i * Math.log(p) + (n - i) * Math.log1p(-p));
    }
    return sum;
  }

  @Test
  void spreadHistogramAndCsvQuoting() {
    ReproStats.Spread s = ReproStats.spread(new double[] {0.5, 0.25, 0.9});
    assertEquals(0.25, s.min());
    assertEquals(0.55, s.mean(), 1e-12);
    assertEquals(0.9, s.max());
    assertTrue(Double.isNaN(ReproStats.spread(new double[0]).mean()));
    // 4 bins of [0, 1]: 0 → bin 0, 0.5 → bin 2, 0.99 and 1.0 → bin 3; 1.2 and −0.1 are outside
    assertArrayEquals(new int[] {1, 0, 1, 2}, ReproStats.histogram(new double[] {0, 0.5, 1.0, 0.99, 1.2, -0.1}, 4, 1));
    assertEquals(List.of("a,\"b\"", "", "c"), OutcomeCsv.split("\"a,\"\"b\"\"\",,c"));
    assertTrue(Double.isNaN(ReproStats.sampleStd(new double[] {1})));
  }

  @Test
  void unreadableValuesNameTheFileLineAndColumn() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, HEADER + "\nrs,zero,3,5,DONE,true,true,3,true,0.5,5,true,0.7,C,0.1,2,3,0.5,9,x\n");
    var e = assertThrows(IllegalArgumentException.class, () -> OutcomeCsv.read(csv));
    assertTrue(e.getMessage().contains("bad.csv:2") && e.getMessage().contains("`image_index`"), e.getMessage());
    Files.writeString(csv, "model_id,label\nrs,1\n");
    e = assertThrows(IllegalArgumentException.class, () -> OutcomeCsv.read(csv));
    assertTrue(e.getMessage().contains("no column `image_index`"), e.getMessage());
  }
}

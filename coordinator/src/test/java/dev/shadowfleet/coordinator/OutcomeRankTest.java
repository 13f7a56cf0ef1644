package dev.shadowfleet.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.outcome.BestOutcome;
import dev.shadowfleet.coordinator.ingest.OutcomeRank;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte key the database compares must order results exactly as common's BestOutcome.ORDER. */
class OutcomeRankTest {
  private static final double[] RADII = {0.0, -0.0, 0.1, 0.25, 0.25000000000000006, 1e-300, Double.MAX_VALUE};
  private static final Double[] LOSSES = {null, -1.0, -0.0, 0.0, 0.5, 2.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
  private static final Double[] TVS = {null, 0.0, 0.01, 0.02, Double.NaN, Double.POSITIVE_INFINITY};
  private static final String[] METHODS = {"rs", "rs-screening", "ibp", "crown-ibp", "ibp-screening"};

  @Test
  void byteOrderEqualsBestOutcomeOrderOnRandomResults() {
    Random rnd = new Random(20200101);
    List<JobResult> pool = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      pool.add(random(rnd));
    }
    int checked = 0;
    for (int i = 0; i < 200_000; i++) {
      JobResult a = pool.get(rnd.nextInt(pool.size()));
      JobResult b = pool.get(rnd.nextInt(pool.size()));
      int expected = Integer.signum(BestOutcome.ORDER.compare(a, b));
      int actual = Integer.signum(Arrays.compareUnsigned(OutcomeRank.key(a), OutcomeRank.key(b)));
      assertEquals(expected, actual, () -> "order differs for\n" + MessageCodec.encodeToString(a) + "\n" + MessageCodec.encodeToString(b));
      checked++;
    }
    assertEquals(200_000, checked);
  }

  @Test
  void sortingByKeyPicksTheSameBestAsBestOutcome() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 2000; trial++) {
      List<JobResult> image = new ArrayList<>();
      int n = 1 + rnd.nextInt(10);
      for (int i = 0; i < n; i++) {
        image.add(random(rnd));
      }
      JobResult best = BestOutcome.of(image).orElseThrow();
      JobResult byKey = image.stream().min((x, y) -> Arrays.compareUnsigned(OutcomeRank.key(x), OutcomeRank.key(y))).orElseThrow();
      assertEquals(0, BestOutcome.ORDER.compare(best, byKey));
    }
  }

  private static JobResult random(Random rnd) {
    JobStatus status = List.of(JobStatus.DONE, JobStatus.SKIPPED_ABSTAIN, JobStatus.CANCELLED).get(rnd.nextInt(3));
    int target = rnd.nextInt(5) - 1;
    String sweep = rnd.nextBoolean() ? "sw-a" : "sw-b\u00e9";
    String model = rnd.nextBoolean() ? "m1" : "m10";
    int image = rnd.nextInt(3);
    String id = AttackJob.idOf(sweep, model, image, target);
    Certificate natural = status == JobStatus.CANCELLED ? null : new Certificate(1, true, 0.1, null, null, null, null, "rs");
    Certificate attack = null;
    boolean success = false;
    if (status == JobStatus.DONE) {
      success = rnd.nextBoolean();
      attack = new Certificate(2, success, RADII[rnd.nextInt(RADII.length)], null, null, null, null, METHODS[rnd.nextInt(METHODS.length)]);
    } else if (rnd.nextInt(4) == 0) {
      attack = new Certificate(2, false, 0.0, null, null, null, null, METHODS[rnd.nextInt(METHODS.length)]);
    }
    return new JobResult(
        MessageCodec.SCHEMA_VERSION, id, sweep, model, image, target, 1, "w", status, 1, natural, attack, success,
        false, LOSSES[rnd.nextInt(LOSSES.length)], TVS[rnd.nextInt(TVS.length)], null, null, null, null, 1, 1, 1.0,
        null, null, null);
  }
}

package dev.shadowfleet.common.outcome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link BestOutcome} against an independent reading of ALGORITHM.md ("Best outcome per image"),
 * written as successive filters rather than one comparator, on random results with many ties.
 */
class BestOutcomeTest {

  /** The rule, step by step: keep narrowing the candidates until one is left. */
  static JobResult reference(List<JobResult> results) {
    List<JobResult> pool = results.stream().filter(r -> r.status() == JobStatus.DONE).toList();
    if (pool.isEmpty()) {
      pool = results; // nothing ran: any skipped one, by the tie-break below
    } else {
      List<JobResult> successes = pool.stream().filter(JobResult::success).toList();
      if (!successes.isEmpty()) {
        List<JobResult> full =
            successes.stream().filter(r -> !r.attack().method().endsWith("-screening")).toList();
        pool = full.isEmpty() ? successes : full;
        boolean ibp = pool.get(0).attack().method().contains("ibp");
        if (ibp) {
          double smallestTv = pool.stream().mapToDouble(r -> value(r.tv())).min().orElseThrow();
          pool = pool.stream().filter(r -> value(r.tv()) == smallestTv).toList();
        } else {
          double largest = pool.stream().mapToDouble(r -> r.attack().radius()).max().orElseThrow();
          pool = pool.stream().filter(r -> r.attack().radius() == largest).toList();
        }
      } else {
        double lowestLoss = pool.stream().mapToDouble(r -> value(r.spoofLoss())).min().orElseThrow();
        pool = pool.stream().filter(r -> value(r.spoofLoss()) == lowestLoss).toList();
      }
    }
    int smallestTarget = pool.stream().mapToInt(JobResult::target).min().orElseThrow();
    return pool.stream()
        .filter(r -> r.target() == smallestTarget)
        .min(Comparator.comparing(JobResult::jobId))
        .orElseThrow();
  }

  /** A missing or NaN number can never be the best one. */
  private static double value(Double v) {
    return v == null || v.isNaN() ? Double.POSITIVE_INFINITY : v;
  }

  @Test
  void theBestOfRandomResultsIsTheOneTheRuleNames() {
    Random random = new Random(20200426L);
    for (int trial = 0; trial < 20_000; trial++) {
      boolean ibp = random.nextInt(3) == 0;
      List<JobResult> results = randomResults(random, ibp, 1 + random.nextInt(10));
      JobResult expected = reference(results);
      assertEquals(Optional.of(expected), BestOutcome.of(results), () -> describe(results));
      Collections.shuffle(results, random);
      assertEquals(Optional.of(expected), BestOutcome.of(results), "order of arrival must not matter");
    }
  }

  @Test
  void isBetterAgreesWithTheRuleOnEveryPairAndIsAStrictOrder() {
    Random random = new Random(7L);
    for (int trial = 0; trial < 20_000; trial++) {
      List<JobResult> pair = randomResults(random, random.nextBoolean(), 2);
      JobResult a = pair.get(0);
      JobResult b = pair.get(1);
      JobResult best = reference(pair);
      assertEquals(best == a, BestOutcome.isBetter(a, b), () -> describe(pair));
      assertEquals(best == b, BestOutcome.isBetter(b, a), () -> describe(pair));
      assertFalse(BestOutcome.isBetter(a, a));
    }
    assertTrue(BestOutcome.isBetter(randomResults(new Random(1), false, 1).get(0), null));
  }

  @Test
  void replayingTheResultsOneByOneKeepsTheSameOutcome() {
    // the coordinator's upsert: keep the current best, replace it only when isBetter
    Random random = new Random(99L);
    for (int trial = 0; trial < 2_000; trial++) {
      List<JobResult> results = randomResults(random, random.nextInt(4) == 0, 1 + random.nextInt(12));
      List<JobResult> deliveries = new ArrayList<>(results);
      deliveries.addAll(results.subList(0, results.size() / 2)); // redeliveries
      Collections.shuffle(deliveries, random);
      JobResult kept = null;
      for (JobResult r : deliveries) {
        if (BestOutcome.isBetter(r, kept)) {
          kept = r;
        }
      }
      assertEquals(reference(results), kept);
    }
  }

  @Test
  void aSmallHandWrittenCase() {
    JobResult failedLowLoss = result(1, JobStatus.DONE, false, 0.0, "rs", 0.2, null);
    JobResult successSmall = result(2, JobStatus.DONE, true, 0.10, "rs", 1.0, null);
    JobResult successLarge = result(3, JobStatus.DONE, true, 0.30, "rs", 2.0, null);
    JobResult screeningLarger = result(4, JobStatus.DONE, true, 0.90, "rs-screening", 2.0, null);
    JobResult skipped = result(5, JobStatus.SKIPPED_ABSTAIN, false, 0.0, null, null, null);
    List<JobResult> all = List.of(failedLowLoss, successSmall, successLarge, screeningLarger, skipped);
    assertEquals(successLarge, BestOutcome.of(all).orElseThrow());
    assertEquals(screeningLarger, BestOutcome.of(List.of(failedLowLoss, screeningLarger)).orElseThrow());
    assertEquals(failedLowLoss, BestOutcome.of(List.of(failedLowLoss, skipped)).orElseThrow());
    assertEquals(Optional.empty(), BestOutcome.of(List.of()));
  }

  @Test
  void aTargetSkippedForBeingTheLabelIsNoOutcome() {
    JobResult failed = result(1, JobStatus.DONE, false, 0.0, "rs", 0.2, null);
    AttackJob job = new AttackJob(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s", "m", 0, 0), "s", "m", null,
        "fashion-mnist:test", 0, 0, List.of(0, 1), "quick", null, null, null, 1L, 1, 0);
    JobResult label = JobResult.skippedLabel(job, "w", 0);
    assertEquals(failed, BestOutcome.of(List.of(label, failed)).orElseThrow());
    assertEquals(Optional.empty(), BestOutcome.of(List.of(label)));
    assertFalse(BestOutcome.counts(label));
    assertTrue(BestOutcome.counts(failed));
  }

  private static List<JobResult> randomResults(Random random, boolean ibp, int count) {
    List<JobResult> results = new ArrayList<>();
    List<Integer> targets = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    Collections.shuffle(targets, random);
    for (int i = 0; i < count; i++) {
      // a few repeated targets with different ids (another model's or attempt's job) make id ties
      int target = random.nextInt(8) == 0 && i > 0 ? results.get(0).target() : targets.get(i % 10);
      JobStatus status = switch (random.nextInt(10)) {
        case 0 -> JobStatus.SKIPPED_ABSTAIN;
        case 1 -> JobStatus.CANCELLED;
        case 2 -> JobStatus.FAILED;
        default -> JobStatus.DONE;
      };
      boolean success = status == JobStatus.DONE && random.nextBoolean();
      String method = ibp ? (random.nextBoolean() ? "ibp" : "crown-ibp")
          : random.nextInt(3) == 0 ? "rs-screening" : "rs";
      double radius = ibp ? (success ? 2.0 / 255 : 0) : random.nextInt(4) * 0.125; // ties on purpose
      Double loss = random.nextInt(8) == 0 ? null : random.nextInt(8) == 0 ? Double.NaN : random.nextInt(4) * 0.5;
      Double tv = random.nextInt(8) == 0 ? null : random.nextInt(4) * 0.25;
      results.add(result(target, status, success, radius, method, loss, tv, "j" + random.nextInt(1000)));
    }
    return results;
  }

  private static JobResult result(int target, JobStatus status, boolean success, double radius,
      String method, Double loss, Double tv) {
    return result(target, status, success, radius, method, loss, tv, "j" + target);
  }

  private static JobResult result(int target, JobStatus status, boolean success, double radius,
      String method, Double loss, Double tv, String id) {
    String jobId = AttackJob.idOf("s", "m", 0, target) + "/" + id;
    AttackJob job = new AttackJob(MessageCodec.SCHEMA_VERSION, jobId, "s", "m", null, "fashion-mnist:test",
        0, target, List.of(target), "quick", null, null, null, 1L, 1, 0);
    if (status == JobStatus.FAILED) {
      return JobResult.failed(job, "w", null, "boom", 0L);
    }
    if (status == JobStatus.CANCELLED) {
      return JobResult.cancelled(job, "w");
    }
    Certificate natural = new Certificate(9, true, 0.5, null, null, null, null, method == null ? "rs" : method);
    Certificate attack = status == JobStatus.DONE
        ? new Certificate(success ? target : 9, success, radius, null, null, null, null, method)
        : null;
    return new JobResult(MessageCodec.SCHEMA_VERSION, jobId, "s", "m", 0, target, 1, "w", status, 9,
        natural, attack, success, success, status == JobStatus.DONE ? loss : null, tv, null, null, null,
        null, 10, 1L, 0.1, null, null, null);
  }

  private static String describe(List<JobResult> results) {
    return results.stream()
        .map(r -> r.jobId() + " " + r.status() + " ok=" + r.success()
            + (r.attack() == null ? "" : " " + r.attack().method() + " R=" + r.attack().radius())
            + " loss=" + r.spoofLoss() + " tv=" + r.tv())
        .collect(Collectors.joining("\n"));
  }
}

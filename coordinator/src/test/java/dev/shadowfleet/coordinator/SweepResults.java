package dev.shadowfleet.coordinator;

import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.Certificate;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.outcome.BestOutcome;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * A sweep's worth of plausible results (per image: one natural certificate shared by its targets, some
 * images abstaining, IBP models mislabelling some), and the paper's numbers recomputed from them in
 * plain Java, independently of the SQL views.
 */
final class SweepResults {
  final List<JobResult> results = new ArrayList<>();

  /** Results for images [0, images) and all targets but the label (that job is left queued). */
  static SweepResults generate(String sweep, String model, boolean ibp, int images, long seed) {
    SweepResults set = new SweepResults();
    Random rnd = new Random(seed);
    String method = ibp ? "ibp" : "rs";
    for (int image = 0; image < images; image++) {
      int label = Results.label(image);
      boolean abstain = !ibp && rnd.nextInt(7) == 0;
      Certificate natural;
      if (abstain) {
        natural = new Certificate(-1, false, 0, 0.4, 40, 100, null, method);
      } else if (ibp) {
        int predicted = rnd.nextInt(5) == 0 ? (label + 1) % 10 : label;
        boolean certified = rnd.nextInt(3) > 0;
        natural = new Certificate(predicted, certified, certified ? 0.1 : 0, null, null, null, certified ? 0.5 : -0.5, method);
      } else {
        natural = new Certificate(label, true, Math.round(rnd.nextDouble() * 800) / 1000.0, 0.9, 90, 100, null, method);
      }
      for (int target = 0; target < 10; target++) {
        if (target == label) {
          continue;
        }
        String id = AttackJob.idOf(sweep, model, image, target);
        if (abstain) {
          set.results.add(new JobResult(MessageCodec.SCHEMA_VERSION, id, sweep, model, image, target, 1, "w", JobStatus.SKIPPED_ABSTAIN,
              label, natural, null, false, false, null, null, null, null, null, null, 0, 10, 0.1, null, null, null));
          continue;
        }
        boolean success = rnd.nextInt(6) == 0;
        Certificate attack =
            success
                ? new Certificate(target, true, ibp ? 0.1 : Math.round(rnd.nextDouble() * 900 + 1) / 1000.0, 0.8, 80, 100, ibp ? 0.2 : null, method)
                : new Certificate(label, rnd.nextBoolean(), ibp ? 0 : Math.round(rnd.nextDouble() * 300) / 1000.0, 0.7, 70, 100, ibp ? -0.1 : null, method);
        if (!success && !attack.certified()) {
          attack = new Certificate(label, false, 0, 0.4, 40, 100, ibp ? -0.1 : null, method);
        }
        double tv = Math.round(rnd.nextDouble() * 100) / 1000.0;
        set.results.add(new JobResult(MessageCodec.SCHEMA_VERSION, id, sweep, model, image, target, 1, "w", JobStatus.DONE, label,
            natural, attack, success, success, Math.round(rnd.nextDouble() * 3000) / 1000.0, tv, 0.1, 0.01,
            rnd.nextDouble() * 3, rnd.nextDouble() * 0.3, 30, 1000, 0.5,
            null, rnd.nextInt(3) == 0 ? new JobResult.ResultImages(PNG_A, PNG_B, PNG_A) : null, null));
      }
    }
    return set;
  }

  static final String PNG_A = png(0x30);
  static final String PNG_B = png(0xc0);

  private static String png(int grey) {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        img.getRaster().setSample(x, y, 0, (grey + x * 4 + y) & 0xff);
      }
    }
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(img, "png", out);
      return Base64.getEncoder().encodeToString(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The best result per image by BestOutcome, by image index. */
  Map<Integer, JobResult> best() {
    Map<Integer, List<JobResult>> byImage = new TreeMap<>();
    for (JobResult r : results) {
      byImage.computeIfAbsent(r.imageIndex(), k -> new ArrayList<>()).add(r);
    }
    Map<Integer, JobResult> out = new TreeMap<>();
    byImage.forEach((i, rs) -> out.put(i, BestOutcome.of(rs).orElseThrow()));
    return out;
  }

  /** The paper's numbers over the best outcomes, computed here. */
  record Numbers(
      long images, long abstained, long certified, long successful, Double natMean, Double natStd, Double attMean,
      Double attStd, Double successRate, Double robustError, Double attackError) {}

  Numbers numbers() {
    List<JobResult> best = new ArrayList<>(best().values());
    List<JobResult> kept = best.stream().filter(r -> r.natural() != null && !r.natural().abstained()).toList();
    double[] nat = kept.stream().mapToDouble(r -> r.natural().radius()).toArray();
    double[] att = kept.stream().mapToDouble(r -> r.success() ? r.attack().radius() : 0).toArray();
    long successful = kept.stream().filter(JobResult::success).count();
    List<JobResult> ran = best.stream().filter(r -> r.natural() != null).toList();
    long robust = ran.stream().filter(r -> r.natural().label() != r.label() || !r.natural().certified()).count();
    long attackErr = ran.stream().filter(r -> r.attack() == null || r.attack().label() == r.label() || !r.attack().certified()).count();
    return new Numbers(
        best.size(), best.size() - kept.size(), kept.size(), successful, mean(nat), std(nat), mean(att), std(att),
        kept.isEmpty() ? null : (double) successful / kept.size(),
        ran.isEmpty() ? null : (double) robust / ran.size(), ran.isEmpty() ? null : (double) attackErr / ran.size());
  }

  /** Per target: [DONE jobs, successes]. */
  Map<Integer, long[]> successByTarget() {
    Map<Integer, long[]> out = new TreeMap<>();
    for (JobResult r : results) {
      if (r.status() == JobStatus.DONE) {
        long[] v = out.computeIfAbsent(r.target(), k -> new long[2]);
        v[0]++;
        v[1] += r.success() ? 1 : 0;
      }
    }
    return out;
  }

  /** Best outcomes in the listing's order for {@code sort=-attackRadius}: radius desc (NULLs last), then image. */
  List<JobResult> byAttackRadiusDesc() {
    return best().values().stream()
        .sorted(Comparator.comparing((JobResult r) -> r.attack() == null ? Double.NEGATIVE_INFINITY : r.attack().radius())
            .reversed().thenComparingInt(JobResult::imageIndex))
        .toList();
  }

  private static Double mean(double[] v) {
    if (v.length == 0) {
      return null;
    }
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static Double std(double[] v) {
    if (v.length < 2) {
      return null;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}

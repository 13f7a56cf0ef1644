package dev.shadowfleet.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.SmoothingParams;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CPU time per decoded result, reference (tree) path against the single pass, on the results the
 * coordinator benchmark ingests (DONE, provenance with every attack parameter, ~1.3 KB). Thread CPU time
 * (ThreadMXBean), so the figure does not depend on the machine's load; rounds alternate between the paths,
 * the median round is reported. Run: {@code ./mvnw -B -q test -pl common -Dtest=MessageCodecBenchmark
 * -Dexcluded.test.groups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("heavy")
@Tag("benchmark")
class MessageCodecBenchmark {
  private static final int RESULTS = 20_000;
  private static final int ROUNDS = 7;

  @Test
  void cpuPerDecodedResult() {
    Random rnd = new Random(1);
    Provenance provenance = new Provenance(AttackPreset.QUICK.params(), SmoothingParams.PAPER, null, 1, 2, "ab".repeat(32), "cpu",
        Map.of("shadowfleet", "0.1.0", "djl", "0.36.0", "pytorch", "2.7.1", "java", "17"));
    List<byte[]> payloads = new ArrayList<>(RESULTS);
    long bytes = 0;
    for (int i = 0; i < RESULTS; i++) {
      int image = i / 10;
      int target = i % 10;
      int label = image % 10;
      boolean success = target != label && rnd.nextInt(3) == 0;
      Certificate natural = new Certificate(label, true, 0.1 + rnd.nextDouble() * 0.5, 0.93, 99_000, 100_000, null, "rs");
      Certificate attack = new Certificate(success ? target : label, success || rnd.nextBoolean(), rnd.nextDouble() * 0.6, 0.9, 90_000, 100_000, null, "rs");
      byte[] b = MessageCodec.encode(new JobResult(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("sweep-1", "fmnist-rs-0.25", image, target),
          "sweep-1", "fmnist-rs-0.25", image, target, 1, "worker-" + rnd.nextInt(8), JobStatus.DONE, label, natural, attack, success,
          success, rnd.nextDouble(), rnd.nextDouble(), rnd.nextDouble(), null, rnd.nextDouble(), rnd.nextDouble() * 0.1, 20, 1500, 1.4,
          provenance, null, null));
      payloads.add(b);
      bytes += b.length;
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[] reference = new double[ROUNDS];
    double[] singlePass = new double[ROUNDS];
    for (int warm = 0; warm < 3; warm++) {
      run(payloads, b -> MessageCodec.decodeReference(b, JobResult.class));
      run(payloads, b -> MessageCodec.decodeSinglePass(b, JobResult.class));
    }
    for (int r = 0; r < ROUNDS; r++) {
      long t0 = mx.getCurrentThreadCpuTime();
      run(payloads, b -> MessageCodec.decodeReference(b, JobResult.class));
      long t1 = mx.getCurrentThreadCpuTime();
      run(payloads, b -> MessageCodec.decodeSinglePass(b, JobResult.class));
      long t2 = mx.getCurrentThreadCpuTime();
      reference[r] = (t1 - t0) / 1e3 / RESULTS;
      singlePass[r] = (t2 - t1) / 1e3 / RESULTS;
    }
    Arrays.sort(reference);
    Arrays.sort(singlePass);
    System.out.printf("BENCHMARK decode of %d results (mean %d bytes): reference (tree) %.1f µs, single pass %.1f µs CPU per result"
        + " (median of %d rounds; range %.1f–%.1f / %.1f–%.1f); load %s%n", RESULTS, bytes / RESULTS, reference[ROUNDS / 2],
        singlePass[ROUNDS / 2], ROUNDS, reference[0], reference[ROUNDS - 1], singlePass[0], singlePass[ROUNDS - 1],
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static void run(List<byte[]> payloads, Function<byte[], JobResult> decode) {
    int n = 0;
    for (byte[] b : payloads) {
      n += decode.apply(b) != null ? 1 : 0;
    }
    assertEquals(payloads.size(), n);
  }
}

package dev.shadowfleet.worker.engine.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.Map;

/**
 * Attack throughput (not a test): image-steps per second, one image × 9 targets × B = 400 noise
 * copies, on the reference network rs1 (the Python reference runs its TorchScript twin). Run by
 * {@code tools/bench/bench_attack.sh}; arguments: steps, then micro-batch sizes to try. Prints wall
 * and process CPU seconds.
 *
 * <p>Every size runs {@link #WARM_UP_STEPS} steps before any is timed: a fresh JVM runs its first
 * attacks up to twice as slowly (JIT of the step loop, oneDNN building kernels for each new shape), and
 * with a one-step warm-up per size the first sizes measured looked slowest at 12–16 threads for that
 * reason alone (docs/benchmarks.md).
 */
public final class AttackBenchmark {
  static final int WARM_UP_STEPS = 5;

  /**
   * CPU time of the whole process (all intra-op threads, plus the JVM's own, which is small next to
   * the attack): on a shared machine it is less disturbed by other load than wall time.
   */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int[] microBatches = {50, 100, 200, 400, 900, 3600};
    if (args.length > 1) {
      microBatches = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
    }
    int[] targets = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = ReferenceFixtures.network(m, "rs1", ModelKind.smoothed(0.25), 1, 28);
      NDArray image = ReferenceFixtures.load(m, "rs1-case").get("image");
      for (int mb : microBatches) {
        AttackParams warm = AttackPreset.PAPER_RS.resolve(Map.of("steps", WARM_UP_STEPS, "microBatch", mb));
        new ShadowAttack(warm, net).generate(image, targets);
      }
      for (int mb : microBatches) {
        AttackParams p = AttackPreset.PAPER_RS.resolve(Map.of("steps", steps, "microBatch", mb));
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        new ShadowAttack(p, net).generate(image, targets);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (cpuNanos() - cpuStart) / 1e9;
        System.out.printf(
            "{\"impl\":\"shadowfleet\",\"engine\":\"%s %s\",\"device\":\"%s\",\"targets\":9,\"noiseBatch\":400,"
                + "\"microBatch\":%d,\"steps\":%d,\"seconds\":%.3f,\"imageStepsPerSecond\":%.3f,"
                + "\"cpuSeconds\":%.3f,\"imageStepsPerCpuSecond\":%.3f}%n",
            Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), m.getDevice(), mb,
            steps,
            seconds, steps / seconds, cpu, steps / cpu);
      }
    }
  }
}

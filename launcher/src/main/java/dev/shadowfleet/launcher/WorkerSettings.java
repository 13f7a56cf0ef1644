package dev.shadowfleet.launcher;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How one worker process ({@code shadowfleet worker}) is started and configured (environment). */
final class WorkerSettings {
  /** The worker CLI's entry point (gpu-worker module). */
  static final String MAIN = "dev.shadowfleet.worker.cli.ShadowfleetCli";

  private WorkerSettings() {}

  /** Name of the i-th worker's process and log file on this machine. */
  static String processName(int index) {
    return "worker-" + index;
  }

  /**
   * The worker's id in results, DLQ records and Kafka client ids: {@code <host>-worker-<i>}, unique
   * across machines that each run {@code workers}.
   */
  static String workerId(int index) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "local";
    }
    return host + "-" + processName(index);
  }

  static List<String> args() {
    return List.of("worker");
  }

  /**
   * glibc malloc keeps freed tensor buffers (up to 32 MB each) in the heap instead of returning them
   * to the kernel: libtorch allocates and frees the same few-MB activations every step, and each fresh
   * mapping costs page faults (263,000 → 49,000 per 30-step benchmark; docs/benchmarks.md).
   */
  static final String MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";

  static List<String> jvmOptions() {
    // DJL takes libtorch from the pytorch-native-cpu jar; it never downloads at run time.
    return List.of("-Xms64m", "-Xmx2g", "-Dai.djl.offline=true", "-Djava.awt.headless=true");
  }

  /**
   * @param computeThreads libtorch intra-op threads, so N workers do not oversubscribe the cores
   */
  static Map<String, String> env(
      String bootstrapServers, Path modelsDir, String workerId, int computeThreads) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SHADOWFLEET_KAFKA_BOOTSTRAP", bootstrapServers);
    env.put("SHADOWFLEET_MODELS_DIR", modelsDir.toString());
    env.put("SHADOWFLEET_WORKER_ID", workerId);
    // Several workers on one machine: each its own health/metrics port.
    env.put("SHADOWFLEET_HTTP_PORT", Integer.toString(Ports.free()));
    // A batch may finish after SIGTERM for this long; the launcher's SIGKILL comes later (30 s).
    env.put("SHADOWFLEET_SHUTDOWN_DEADLINE_S", "20");
    env.put("OMP_NUM_THREADS", Integer.toString(computeThreads));
    env.put("GLIBC_TUNABLES", MALLOC_TUNABLES);
    return env;
  }
}

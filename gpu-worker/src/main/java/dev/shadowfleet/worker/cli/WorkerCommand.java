package dev.shadowfleet.worker.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.worker.engine.EngineCheck;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import dev.shadowfleet.worker.engine.model.ModelCache;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import dev.shadowfleet.worker.loop.EngineJobProcessor;
import dev.shadowfleet.worker.loop.Worker;
import dev.shadowfleet.worker.loop.WorkerConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shadowfleet worker}: consume attack jobs from Kafka until SIGTERM. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a fleet worker: consumes jobs from shadowfleet.jobs, attacks and certifies each image batch,",
      "publishes results to shadowfleet.results (DLQ: shadowfleet.jobs.dlq). Every option has an",
      "environment variable (SHADOWFLEET_…, see gpu-worker/README.md); an option overrides it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped (SIGTERM)", "1:stopped by a fatal error", "2:bad configuration"})
final class WorkerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);
  /** Models held at once; a worker usually serves the few models of the running sweeps. */
  private static final int MODEL_CACHE = 4;

  @Option(names = "--bootstrap", description = "Kafka bootstrap servers (SHADOWFLEET_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Option(names = "--group", description = "Consumer group (SHADOWFLEET_GROUP_ID).")
  String group;

  @Option(names = "--worker-id", description = "Name in results and logs (SHADOWFLEET_WORKER_ID; default hostname-pid).")
  String workerId;

  @Option(names = "--models-dir", description = "Registered models (SHADOWFLEET_MODELS_DIR).")
  String modelsDir;

  @Option(names = "--max-poll-records", description = "Records per poll = one image batch (SHADOWFLEET_MAX_POLL_RECORDS).")
  String maxPollRecords;

  @Option(names = "--max-poll-interval-ms", description = "Eviction backstop (SHADOWFLEET_MAX_POLL_INTERVAL_MS).")
  String maxPollInterval;

  @Option(names = "--session-timeout-ms", description = "Dead-worker detection (SHADOWFLEET_SESSION_TIMEOUT_MS).")
  String sessionTimeout;

  @Option(names = "--poll-timeout-ms", description = "Longest single poll (SHADOWFLEET_POLL_TIMEOUT_MS).")
  String pollTimeout;

  @Option(names = "--max-attempts", description = "Attempts before the DLQ on transient errors (SHADOWFLEET_MAX_ATTEMPTS).")
  String maxAttempts;

  @Option(names = "--shutdown-deadline-s", description = "Time a batch may finish after SIGTERM (SHADOWFLEET_SHUTDOWN_DEADLINE_S).")
  String shutdownDeadline;

  @Option(names = "--http-port", description = "Health/metrics port; 0 any, -1 off (SHADOWFLEET_HTTP_PORT).")
  String httpPort;

  @Option(names = "--device", description = "auto, cpu, gpu or gpu:N (SHADOWFLEET_DEVICE).")
  String device;

  @Option(names = "--batch-wait-ms", description = "How long part of an image's targets waits for the rest (SHADOWFLEET_BATCH_WAIT_MS).")
  String batchWait;

  @Option(names = "--started-refresh-ms", description = "How often a computing batch's started record is repeated (SHADOWFLEET_STARTED_REFRESH_MS).")
  String startedRefresh;

  @Override
  public Integer call() throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(WorkerConfig.ENV_BOOTSTRAP, bootstrap);
    options.put(WorkerConfig.ENV_GROUP, group);
    options.put(WorkerConfig.ENV_WORKER_ID, workerId);
    options.put(WorkerConfig.ENV_MODELS_DIR, modelsDir);
    options.put(WorkerConfig.ENV_MAX_POLL_RECORDS, maxPollRecords);
    options.put(WorkerConfig.ENV_MAX_POLL_INTERVAL_MS, maxPollInterval);
    options.put(WorkerConfig.ENV_SESSION_TIMEOUT_MS, sessionTimeout);
    options.put(WorkerConfig.ENV_POLL_TIMEOUT_MS, pollTimeout);
    options.put(WorkerConfig.ENV_MAX_ATTEMPTS, maxAttempts);
    options.put(WorkerConfig.ENV_SHUTDOWN_DEADLINE_S, shutdownDeadline);
    options.put(WorkerConfig.ENV_HTTP_PORT, httpPort);
    options.put(WorkerConfig.ENV_DEVICE, device);
    options.put(WorkerConfig.ENV_BATCH_WAIT_MS, batchWait);
    options.put(WorkerConfig.ENV_STARTED_REFRESH_MS, startedRefresh);
    Map<String, String> env = new HashMap<>(System.getenv());
    options.forEach((k, v) -> {
      if (v != null) {
        env.put(k, v);
      }
    });
    WorkerConfig config;
    String deviceName;
    try {
      config = WorkerConfig.fromEnv(env);
      if (!EngineCheck.ready("worker", System.err)) {
        return 1;
      }
      deviceName = resolveDevice(config.device());
    } catch (ParameterException e) {
      System.err.println("shadowfleet worker: " + e.getMessage());
      return 2;
    }
    try (ModelCache models = new ModelCache(MODEL_CACHE, new ModelRegistry(config.modelsDir()))) {
      Worker worker = new Worker(config,
          new EngineJobProcessor(models, new DatasetCache(), config.workerId(), deviceName), deviceName);
      worker.installShutdownHook().start();
      return worker.awaitTermination() ? 0 : 1;
    }
  }

  /**
   * The device models load on: the engine's default (DJL picks CUDA when its GPU native library and a
   * GPU are present). An explicit choice is checked against it: to keep a GPU host on the CPU, hide the
   * GPUs ({@code CUDA_VISIBLE_DEVICES=}).
   */
  static String resolveDevice(String wanted) {
    Engine engine = Engine.getInstance();
    Device found = engine.defaultDevice();
    String name = found.isGpu() ? "gpu(" + found.getDeviceId() + ") of " + engine.getGpuCount() : "cpu";
    LOG.info("compute device: {} (engine {} {}, {} GPU(s) visible)", name, engine.getEngineName(),
        engine.getVersion(), engine.getGpuCount());
    boolean ok = switch (wanted) {
      case "auto" -> true;
      case "cpu" -> !found.isGpu();
      case "gpu" -> found.isGpu();
      default -> found.isGpu() && found.getDeviceId() == Integer.parseInt(wanted.substring(4));
    };
    if (!ok) {
      throw new ParameterException(WorkerConfig.ENV_DEVICE, "`" + WorkerConfig.ENV_DEVICE + "` is " + wanted
          + " but the engine's device is " + name
          + (found.isGpu() ? " (set CUDA_VISIBLE_DEVICES= to run on the CPU)" : " (no GPU found)"));
    }
    return name;
  }
}

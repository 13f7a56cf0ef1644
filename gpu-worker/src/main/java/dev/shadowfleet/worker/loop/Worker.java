package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.JobStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker process: the sweep-control view, the job consumer loop and the health endpoint, started
 * in that order and stopped in reverse. {@link #installShutdownHook} turns SIGTERM into a graceful stop.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final Duration SWEEPS_CATCH_UP = Duration.ofSeconds(60);

  private final WorkerConfig config;
  private final String device;
  private final WorkerMetrics metrics = new WorkerMetrics();
  private final SweepControlView sweeps;
  private final AttackJobConsumer consumer;
  private final Thread sweepThread;
  private final Thread loopThread;
  private final AtomicBoolean closing = new AtomicBoolean();
  private HealthServer health;

  /**
   * @param device the compute device, as shown in logs and metrics (e.g. {@code gpu(0)} or {@code cpu})
   */
  public Worker(WorkerConfig config, JobProcessor processor, String device) {
    this.config = config;
    this.device = device;
    this.sweeps = new SweepControlView(config);
    this.consumer = new AttackJobConsumer(config, processor, sweeps, metrics);
    this.sweepThread = new Thread(sweeps, "sweeps-" + config.workerId());
    this.sweepThread.setDaemon(true);
    this.loopThread = new Thread(consumer, "jobs-" + config.workerId());
  }

  /** Starts everything; returns once the loop thread runs. */
  public Worker start() throws IOException, InterruptedException {
    LOG.info("worker {} starting: kafka {}, group {}, device {}, max poll records {}, max attempts {}",
        config.workerId(), config.bootstrapServers(), config.groupId(), device, config.maxPollRecords(),
        config.maxAttempts());
    if (config.httpPort() >= 0) {
      health = new HealthServer(config.httpPort(), this::isLive, this::isReady,
          () -> metrics.prometheus(config.workerId(), device));
      LOG.info("worker {} health and metrics on port {}", config.workerId(), health.port());
    }
    sweepThread.start();
    if (!sweeps.awaitCaughtUp(SWEEPS_CATCH_UP)) {
      LOG.warn("worker {} could not read the sweeps topic in {} s: starting anyway (jobs of a sweep"
          + " cancelled meanwhile may still run)", config.workerId(), SWEEPS_CATCH_UP.toSeconds());
    }
    loopThread.start();
    return this;
  }

  /** Registers a JVM shutdown hook (SIGTERM, SIGINT) that stops the worker gracefully. */
  public Worker installShutdownHook() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "shutdown-" + config.workerId()));
    return this;
  }

  /** Blocks until the loop stops; true if it stopped without a fatal error. */
  public boolean awaitTermination() throws InterruptedException {
    loopThread.join();
    return consumer.failure() == null;
  }

  /**
   * The loop thread is running and has polled within the max poll interval, and the sweep reader is
   * running (without it cancellations would go unseen): otherwise the pod should be restarted.
   */
  public boolean isLive() {
    return loopThread.isAlive() && sweepThread.isAlive()
        && metrics.lastPollAgeSeconds() < config.maxPollInterval().toMillis() / 1000.0;
  }

  public boolean isReady() {
    return consumer.isRunning() && sweeps.isCaughtUp();
  }

  /** The cancelled-sweeps view this worker consults. */
  public SweepControlView sweepView() {
    return sweeps;
  }

  public WorkerMetrics metrics() {
    return metrics;
  }

  /** The health server's port, or -1 when it is off. */
  public int httpPort() {
    return health == null ? -1 : health.port();
  }

  /** Graceful stop: the current batch finishes within the shutdown deadline or is handed back. */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    LOG.info("worker {} stopping (deadline {} s)", config.workerId(), config.shutdownDeadline().toSeconds());
    consumer.close();
    try {
      if (loopThread.isAlive()
          && !consumer.awaitStopped(config.shutdownDeadline().plus(config.maxPollInterval()))) {
        LOG.warn("worker {} loop did not stop in time", config.workerId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sweeps.close();
    if (health != null) {
      health.close();
    }
    LOG.info("worker {} stopped: {} done, {} failed, {} handed back", config.workerId(),
        metrics.jobs(JobStatus.DONE),
        metrics.jobs(JobStatus.FAILED), metrics.handedBack());
  }
}

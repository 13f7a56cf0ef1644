package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.Topics;
import dev.shadowfleet.worker.loop.WorkerConfig.TopicNames;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker in a child JVM (same test classpath) running {@link TinyProcessor}, so a test can
 * SIGKILL it mid-batch ({@link Process#destroyForcibly()}). {@link #main} is the child's entry point.
 */
final class ChildWorker {
  private ChildWorker() {}

  /** Starts a child worker; its log goes to {@code log}, its batches to {@code journal}. */
  static Process start(String bootstrap, String group, TopicNames topics, String workerId, long millisPerBatch,
      Duration sessionTimeout, Path journal, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String prefix = topics.jobs().substring(0, topics.jobs().length() - Topics.JOBS.length());
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ChildWorker.class.getName(),
        bootstrap, group, prefix, workerId, Long.toString(millisPerBatch),
        Long.toString(sessionTimeout.toMillis()), journal.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String group = args[1];
    TopicNames topics = TopicNames.DEFAULT.prefixed(args[2]);
    String workerId = args[3];
    long millisPerBatch = Long.parseLong(args[4]);
    Duration session = Duration.ofMillis(Long.parseLong(args[5]));
    Path journal = Path.of(args[6]);
    WorkerConfig config = new WorkerConfig(bootstrap, group, workerId, new File("models").toPath(), 4,
        Duration.ofSeconds(10), session, Duration.ofMillis(100), 3, Duration.ofSeconds(10), -1, "cpu",
        topics);
    Worker worker = new Worker(config, new TinyProcessor(millisPerBatch, workerId, journal), "cpu")
        .installShutdownHook()
        .start();
    System.exit(worker.awaitTermination() ? 0 : 1);
  }
}

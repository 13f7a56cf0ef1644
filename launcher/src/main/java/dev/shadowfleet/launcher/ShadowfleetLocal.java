package dev.shadowfleet.launcher;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shadowfleet-local}: the whole system on one machine without Docker, or any part of it pointed at
 * existing services. Exit codes: 0 done, 1 a process or the run failed, 2 bad usage or bad input (the
 * message names the option and the reason; a data directory already in use is bad input), 130 stopped by
 * Ctrl-C while following a sweep.
 */
@Command(
    name = "shadowfleet-local",
    mixinStandardHelpOptions = true,
    version = "shadowfleet-local 0.1",
    description = "Runs ShadowFleet on this machine: Kafka, PostgreSQL, the coordinator and workers.",
    subcommands = {
      UpCommand.class,
      InfraCommand.class,
      CoordinatorCommand.class,
      WorkersCommand.class,
      StatusCommand.class,
      DownCommand.class,
      TokenCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:a process or the run failed", "2:bad usage or bad input",
        "130:stopped by Ctrl-C while following a sweep"})
public final class ShadowfleetLocal {
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  /** Exit code after Ctrl-C / SIGINT (128 + 2, as shells report it). */
  static final int INTERRUPTED = 130;

  /** The data directory option every subcommand shares. */
  static final class DataDirOption {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Where Kafka, PostgreSQL and the logs keep their data (default: $SHADOWFLEET_HOME, else ./.shadowfleet).")
    Path dataDir;

    DataDir resolve() {
      return DataDir.resolve(dataDir);
    }
  }

  public static void main(String[] args) {
    // The launcher's own Kafka clients retry while a broker starts: their warnings are noise here.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    System.exit(run(System.out, System.err, args));
  }

  /** Runs the CLI and returns its exit code. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    CommandLine cl = new CommandLine(new ShadowfleetLocal());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException || e instanceof DataDirLock.HeldException) {
            cmd.getErr().println("shadowfleet-local: " + e.getMessage());
            cmd.getErr().flush();
            return BAD_INPUT;
          }
          if (shuttingDown()) {
            // Ctrl-C reaches the children too: a call to the coordinator failing now is the stop itself,
            // and the shutdown hook reports it.
            return INTERRUPTED;
          }
          cmd.getErr().println("shadowfleet-local: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
          cmd.getErr().flush();
          return FAILED;
        });
    return cl.execute(args);
  }

  /**
   * Whether the JVM is stopping (a signal started the shutdown hooks), waiting up to a second for it: the
   * signal reaches the children and this JVM at the same moment, so a call to a dying child can fail just
   * before the hooks start.
   */
  static boolean shuttingDown() {
    for (int i = 0; i < 10; i++) {
      Thread probe = new Thread(() -> { });
      try {
        Runtime.getRuntime().addShutdownHook(probe);
        Runtime.getRuntime().removeShutdownHook(probe);
      } catch (IllegalStateException stopping) {
        return true;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** Default worker count: one per two cores, at least one. */
  static int defaultWorkers() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /**
   * Blocks until Ctrl-C (the shutdown hook then stops the stack) or until a child exits by itself, which
   * is reported and returns {@link #FAILED}.
   */
  static int runUntilStopped(LocalStack stack, PrintWriter out) throws InterruptedException {
    while (true) {
      Thread.sleep(1000);
      var failure = stack.failure();
      if (failure.isPresent()) {
        Thread.sleep(1000); // a Ctrl-C reaches the children too: give the shutdown hook time to start
        if (stack.closing()) {
          continue; // the shutdown hook is stopping everything; the JVM exits when it is done
        }
        out.println(failure.get());
        stack.close();
        return FAILED;
      }
    }
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}

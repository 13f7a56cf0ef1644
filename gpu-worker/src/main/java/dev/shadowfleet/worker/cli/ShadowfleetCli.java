package dev.shadowfleet.worker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code shadowfleet}: one-off attacks, certification and training without Kafka. Exit codes: 0 done,
 * 1 the run failed, 2 bad usage or bad input (the message names the option and the reason).
 */
@Command(
    name = "shadowfleet",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Shadow Attack against certified classifiers.",
    subcommands = {CommandLine.HelpCommand.class, BenchCertifyCommand.class, AttackCommand.class,
        CertifyCommand.class, WorkerCommand.class, TrainCommand.class,
        ReportCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the run failed", "2:bad usage or bad input"})
public final class ShadowfleetCli {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return new CommandLine(new ShadowfleetCli()).execute(args);
  }
}

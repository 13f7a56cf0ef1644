package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infra}: only Kafka and PostgreSQL, for a coordinator and workers started elsewhere. */
@Command(
    name = "infra",
    mixinStandardHelpOptions = true,
    description = "Start only Kafka (with the pipeline's topics) and PostgreSQL; print their settings; run until Ctrl-C.")
final class InfraCommand implements Callable<Integer> {
  @Mixin ShadowfleetLocal.DataDirOption data;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--kafka-port", paramLabel = "PORT", description = "Kafka client port (default: the one kept in the data directory, else a free one).")
  int kafkaPort;

  @Option(names = "--postgres-port", paramLabel = "PORT", description = "PostgreSQL port (default: kept, else free).")
  int postgresPort;

  @Option(names = "--max-workers", paramLabel = "N", defaultValue = "12",
      description = "Largest worker count planned: the jobs topic gets 2×N partitions (default: ${DEFAULT-VALUE}).")
  int maxWorkers;


  @Override
  public Integer call() throws Exception {
    ShadowfleetLocal.require(maxWorkers >= 1, "`--max-workers` must be ≥ 1, got " + maxWorkers);
    ShadowfleetLocal.require(kafkaPort >= 0 && kafkaPort <= 65535, "`--kafka-port` must be in 0..65535, got " + kafkaPort);
    ShadowfleetLocal.require(postgresPort >= 0 && postgresPort <= 65535, "`--postgres-port` must be in 0..65535, got " + postgresPort);
    PrintWriter out = spec.commandLine().getOut();
    LocalStack stack = LocalStack.open(data.resolve(), Launch.fromSystem(), out);
    LocalStack.Infra infra = stack.startInfra(maxWorkers, kafkaPort, postgresPort);
    out.println();
    out.println("Infrastructure running (Ctrl-C stops it). Connection settings:");
    out.println("  SHADOWFLEET_KAFKA_BOOTSTRAP=" + infra.bootstrapServers());
    out.println("  SHADOWFLEET_DB_URL=" + infra.database().jdbcUrl());
    out.println("  SHADOWFLEET_DB_USER=" + infra.database().user());
    out.println("  SHADOWFLEET_DB_PASSWORD=" + infra.database().password());
    out.println("Then, in other terminals (each with its own --data-dir):");
    out.println("  ./shadowfleet-local coordinator --data-dir .shadowfleet-coordinator  (reads the variables above)");
    out.println("  ./shadowfleet-local workers --count 2 --data-dir .shadowfleet-workers");
    return ShadowfleetLocal.runUntilStopped(stack, out);
  }
}

package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code workers}: only worker processes, against a Kafka that runs elsewhere. */
@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    description = "Start only N workers against an existing Kafka; run until Ctrl-C.")
final class WorkersCommand implements Callable<Integer> {
  @Mixin ShadowfleetLocal.DataDirOption data;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--count", paramLabel = "N", description = "Worker processes (default: one per two cores, at least 1).")
  Integer count;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT", defaultValue = "${env:SHADOWFLEET_KAFKA_BOOTSTRAP}",
      description = "Kafka bootstrap servers (default: $SHADOWFLEET_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Option(names = "--models-dir", paramLabel = "DIR",
      description = "Model cards and files the workers load (default: the bundled models/ of the checkout).")
  java.nio.file.Path modelsDir;

  @Override
  public Integer call() throws Exception {
    int n = count == null ? ShadowfleetLocal.defaultWorkers() : count;
    ShadowfleetLocal.require(n >= 1 && n <= 256, "`--count` must be in [1, 256], got " + n);
    ShadowfleetLocal.require(bootstrap != null && !bootstrap.isBlank(),
        "`--kafka-bootstrap` is required (or set SHADOWFLEET_KAFKA_BOOTSTRAP), e.g. 127.0.0.1:9092");
    PrintWriter out = spec.commandLine().getOut();
    LocalStack stack = LocalStack.open(data.resolve(), Launch.fromSystem().withModelsDir(modelsDir), out);
    stack.startWorkers(n, bootstrap);
    out.println("Workers running (Ctrl-C stops them after their current job).");
    return ShadowfleetLocal.runUntilStopped(stack, out);
  }
}

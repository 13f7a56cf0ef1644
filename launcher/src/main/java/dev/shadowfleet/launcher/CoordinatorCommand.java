package dev.shadowfleet.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code coordinator}: only the coordinator, against Kafka and PostgreSQL that run elsewhere. */
@Command(
    name = "coordinator",
    mixinStandardHelpOptions = true,
    description = "Start only the coordinator against an existing Kafka and PostgreSQL; run until Ctrl-C.")
final class CoordinatorCommand implements Callable<Integer> {
  @Mixin ShadowfleetLocal.DataDirOption data;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT", defaultValue = "${env:SHADOWFLEET_KAFKA_BOOTSTRAP}",
      description = "Kafka bootstrap servers (default: $SHADOWFLEET_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Mixin DatabaseOptions database;

  @Option(names = "--http-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address the REST API, dashboard and Swagger UI listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String httpHost;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "HTTP port (default: the one kept in the data directory, else 8080 when free, else a free one).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    ShadowfleetLocal.require(bootstrap != null && !bootstrap.isBlank(),
        "`--kafka-bootstrap` is required (or set SHADOWFLEET_KAFKA_BOOTSTRAP), e.g. 127.0.0.1:9092");
    ShadowfleetLocal.require(httpPort >= 0 && httpPort <= 65535, "`--http-port` must be in 0..65535, got " + httpPort);
    PrintWriter out = spec.commandLine().getOut();
    LocalStack stack = LocalStack.open(data.resolve(), Launch.fromSystem(), out);
    LocalStack.Infra infra =
        new LocalStack.Infra(bootstrap, database.credentials());
    String url = stack.startCoordinator(infra, httpHost, httpPort);
    UpCommand.printWhereToLook(out, url);
    return ShadowfleetLocal.runUntilStopped(stack, out);
  }
}

package dev.shadowfleet.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code up}: the whole stack and the demo sweep — Kafka, PostgreSQL, the coordinator, N workers;
 * registers the bundled models, submits the sweep, shows its progress, prints the summary tables.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Start everything, run the demo sweep and print its summary; run until Ctrl-C (or --exit-when-done).",
      "Kafka, PostgreSQL, the coordinator and N workers; the sweep: the first N Fashion-MNIST test images",
      "× every target × the bundled σ = 0.25 smoothed model and IBP model, quick preset."
    })
final class UpCommand implements Callable<Integer> {
  @Mixin ShadowfleetLocal.DataDirOption data;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--workers", paramLabel = "N", description = "Worker processes (default: one per two cores, at least 1).")
  Integer workers;

  @Option(names = "--images", paramLabel = "N", defaultValue = "20",
      description = "Demo sweep: the first N Fashion-MNIST test images × every target (default: ${DEFAULT-VALUE}).")
  int images;

  @Option(names = "--models", paramLabel = "ID", split = ",",
      description = "Demo sweep: model ids (default: the bundled σ = 0.25 smoothed model and the first IBP model).")
  List<String> models;

  @Option(names = "--preset", paramLabel = "PRESET", defaultValue = "quick",
      description = "Demo sweep: attack preset (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--certify-n", paramLabel = "N", defaultValue = "1000",
      description = "Demo sweep: randomized-smoothing estimation samples n (default: ${DEFAULT-VALUE}; the paper uses 100000).")
  int certifyN;

  @Option(names = "--no-sweep", description = "Start the stack and register the models, but submit no sweep.")
  boolean noSweep;

  @Option(names = "--exit-when-done", description = "Stop everything and exit when the sweep has finished.")
  boolean exitWhenDone;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "Coordinator HTTP port (default: the one kept in the data directory, else 8080 when free, else a free one).")
  int httpPort;

  @Option(names = "--timeout", paramLabel = "MINUTES", defaultValue = "120",
      description = "Give up on the sweep after this many minutes (default: ${DEFAULT-VALUE}).")
  long timeoutMinutes;

  @Option(names = "--models-dir", paramLabel = "DIR",
      description = "Model cards and files the workers load (default: the bundled models/ of the checkout).")
  java.nio.file.Path modelsDir;

  @Override
  public Integer call() throws Exception {
    int n = workers == null ? ShadowfleetLocal.defaultWorkers() : workers;
    ShadowfleetLocal.require(n >= 1 && n <= 64, "`--workers` must be in [1, 64], got " + n);
    ShadowfleetLocal.require(images >= 1 && images <= 10_000, "`--images` must be in [1, 10000], got " + images);
    ShadowfleetLocal.require(certifyN >= 10, "`--certify-n` must be ≥ 10, got " + certifyN);
    ShadowfleetLocal.require(httpPort >= 0 && httpPort <= 65535, "`--http-port` must be in 0..65535, got " + httpPort);
    ShadowfleetLocal.require(timeoutMinutes >= 1, "`--timeout` must be ≥ 1 minute, got " + timeoutMinutes);
    Launch launch = Launch.fromSystem().withModelsDir(modelsDir);
    List<String> sweepModels = models == null || models.isEmpty() ? null : models;
    if (!noSweep && sweepModels == null) {
      sweepModels = DemoSweep.defaultModels(launch.modelsDir()); // fails before anything starts
    }

    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    LocalStack stack = LocalStack.open(data.resolve(), launch, out);
    LocalStack.Infra infra = stack.startInfra(Math.max(12, n), 0, 0);
    String url = stack.startCoordinator(infra, "127.0.0.1", httpPort);
    stack.startWorkers(n, infra.bootstrapServers());
    String token = stack.operatorToken(infra);
    CoordinatorClient api = new CoordinatorClient(url, token);
    List<String> registered = api.registerModels(launch.modelsDir());
    out.println("Registered models: " + registered);
    printWhereToLook(out, url);
    printToken(out, url, stack.dataDir());
    out.printf("Stack up in %s.%n", SweepReport.duration((System.nanoTime() - t0) / 1e9));

    if (!noSweep) {
      DemoSweep demo = new DemoSweep(images, sweepModels, preset, 100, certifyN);
      JsonNode sweep = api.submitSweep(demo.request());
      String id = sweep.get("id").asText();
      out.printf("Submitted sweep %s: %d jobs (%d images × all targets × %s, preset %s, n = %d); estimated %s of compute.%n",
          id, sweep.path("jobs").asLong(), images, sweepModels, preset, certifyN,
          SweepReport.duration(sweep.path("estimate").path("computeSeconds").asDouble()));
      long s0 = System.nanoTime();
      JsonNode end = followProgress(api, id, stack, out, Duration.ofMinutes(timeoutMinutes));
      if (end == null) {
        stack.close();
        return ShadowfleetLocal.FAILED;
      }
      out.printf("Sweep %s %s in %s.%n%n", id, end.path("state").asText("finished").toLowerCase(),
          SweepReport.duration((System.nanoTime() - s0) / 1e9));
      List<SweepReport.ModelSummary> summaries = SweepReport.summarize(api.outcomes(id));
      out.print(SweepReport.tables(summaries, modelKinds(api)));
      List<String> without = sweepModels.stream()
          .filter(m -> summaries.stream().noneMatch(s -> s.model().equals(m))).toList();
      if (!without.isEmpty()) {
        out.println("No outcome at all for " + without + ": every job of theirs failed (reasons: "
            + url + "/api/jobs/<job id>, and the worker logs in " + stack.dataDir().logs() + ").");
      }
      out.println("Per image: " + url + "/api/sweeps/" + id + "/outcomes");
    }
    if (exitWhenDone) {
      stack.close();
      out.printf("Total wall time %s.%n", SweepReport.duration((System.nanoTime() - t0) / 1e9));
      return 0;
    }
    out.println("Running; Ctrl-C stops everything (data stays in " + stack.dataDir().root() + ").");
    return ShadowfleetLocal.runUntilStopped(stack, out);
  }

  /** Polls the sweep once a second, redrawing the progress bar; null when a process died or time ran out. */
  private static JsonNode followProgress(
      CoordinatorClient api, String id, LocalStack stack, PrintWriter out, Duration timeout) throws Exception {
    boolean tty = System.console() != null;
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastPrint = 0;
    String lastLine = "";
    while (true) {
      JsonNode sweep = api.sweep(id);
      String line = SweepReport.progressLine(sweep, 30);
      if (tty) {
        out.print("\r" + line + "   ");
        out.flush();
      } else if (!line.equals(lastLine) && System.nanoTime() - lastPrint > 10e9 || SweepReport.finished(sweep)) {
        out.println(line);
        lastPrint = System.nanoTime();
      }
      lastLine = line;
      if (SweepReport.finished(sweep)) {
        if (tty) {
          out.println();
        }
        return sweep;
      }
      var failure = stack.failure();
      if (failure.isPresent()) {
        out.println();
        out.println(failure.get());
        return null;
      }
      if (System.nanoTime() > deadline) {
        out.println();
        out.println("The sweep did not finish within " + timeout.toMinutes() + " min; it stays in the database.");
        return null;
      }
      Thread.sleep(1000);
    }
  }

  /** model id → "smoothed σ=0.25" / "ibp ε=0.1", from {@code GET /api/models}. */
  private static Map<String, String> modelKinds(CoordinatorClient api) {
    Map<String, String> kinds = new LinkedHashMap<>();
    try {
      for (JsonNode m : api.get("/api/models")) {
        String kind = m.path("kind").asText("?").toLowerCase();
        String param = m.hasNonNull("sigma") ? " σ=" + m.get("sigma").asText()
            : m.hasNonNull("epsilon") ? " ε=" + m.get("epsilon").asText() : "";
        kinds.put(m.path("id").asText(), kind + param);
      }
    } catch (Exception e) {
      // the table then shows "?" as kind
    }
    return kinds;
  }

  /** How to call the API with the stack's operator token (never the token itself: it stays in its file). */
  static void printToken(PrintWriter out, String url, DataDir dir) {
    out.println("  Writes need an API token (reads are open). The stack's operator token is in");
    out.println("  " + dir.operatorToken() + " (mode 0600), e.g.:");
    out.println("    curl -H \"Authorization: Bearer $(cat " + dir.operatorToken() + ")\" " + url + "/api/tokens");
    out.println("  More tokens: ./shadowfleet-local token create --role researcher --name alice");
    out.println();
  }

  static void printWhereToLook(PrintWriter out, String url) {
    out.println();
    if (new CoordinatorClient(url).serves("/")) {
      out.println("  Dashboard   " + url + "/");
    }
    out.println("  REST API    " + url + "/api/sweeps");
    out.println("  Swagger UI  " + url + "/q/swagger-ui");
    out.println("  OpenAPI     " + url + "/q/openapi");
    out.println();
  }
}

package dev.shadowfleet.worker.cli;

import dev.shadowfleet.worker.report.ReproReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shadowfleet report}: the reproduction's tables and plots from the committed raw data (outcome
 * CSVs exported by the coordinator, run times, attack traces); no model is loaded, nothing is recomputed.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {"Tables (markdown) and PNG plots of the paper reproduction from raw outcome CSVs and traces.",
        "Writes <out>/tables.md and <out>/*.png; with --doc, fills the <!-- report:NAME --> regions of that file."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the run failed", "2:bad usage or bad input (the message names the option)"})
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--raw", defaultValue = "docs/reproduction/raw", paramLabel = "<dir>",
      description = "Raw data: <experiment>/<sweep>/*.csv, runs.csv, ablation/. Default: ${DEFAULT-VALUE}.")
  Path raw;

  @Option(names = "--out", defaultValue = "docs/reproduction", paramLabel = "<dir>",
      description = "Where tables.md and the PNGs go. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--experiments", defaultValue = "experiments", paramLabel = "<dir>",
      description = "Experiment definitions, for the scale reached vs their targets (skipped when missing). Default: ${DEFAULT-VALUE}.")
  Path experiments;

  @Option(names = "--doc", paramLabel = "<file.md>",
      description = "A markdown file whose <!-- report:NAME --> … <!-- /report:NAME --> regions are refilled.")
  Path doc;

  @Override
  public Integer call() {
    if (!Files.isDirectory(raw)) {
      System.err.println("shadowfleet report: --raw: no directory " + raw);
      return 2;
    }
    if (doc != null && !Files.isRegularFile(doc)) {
      System.err.println("shadowfleet report: --doc: no file " + doc);
      return 2;
    }
    try {
      ReproReport report = new ReproReport(raw, out, experiments);
      Map<String, String> fragments = report.generate();
      System.out.println("tables " + fragments.keySet() + " in " + out.resolve("tables.md"));
      System.out.println(report.images().size() + " PNG plots in " + out);
      if (doc != null) {
        List<String> filled = ReproReport.fill(doc, fragments);
        System.out.println("filled " + filled + " in " + doc);
      }
      return 0;
    } catch (Exception e) {
      System.err.println("shadowfleet report: failed: " + e.getMessage());
      return 1;
    }
  }
}

package dev.shadowfleet.worker.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.worker.engine.EngineCheck;
import dev.shadowfleet.worker.engine.attack.Certificate;
import dev.shadowfleet.worker.engine.attack.Certifiers;
import dev.shadowfleet.worker.engine.attack.ImageCertifier;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shadowfleet certify}: certification only, no attack. */
@Command(
    name = "certify",
    mixinStandardHelpOptions = true,
    description = {
      "Certifies images of a dataset: randomized-smoothing CERTIFY (smoothed models) or IBP/CROWN-IBP",
      "at the model's ε (IBP models). Prints one row per image; --out writes them as JSON lines."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the run failed", "2:bad usage or bad input (the message names the option)"})
final class CertifyCommand implements Callable<Integer> {
  @Mixin ModelInputs inputs;
  @Mixin CertifyOptions certify;

  @Option(names = "--out", paramLabel = "<file>", description = "Write one JSON record per image to this file.")
  Path out;

  @Override
  public Integer call() {
    if (!EngineCheck.ready("certify", System.err)) {
      return 1;
    }
    try (LoadedModel model = inputs.loadModel()) {
      Dataset data = inputs.openDataset(model);
      int[] images = inputs.imageIndices(data.size());
      ImageCertifier certifier =
          Certifiers.forModel(model, certify.smoothing(inputs), certify.ibp(inputs));
      return run(data, images, certifier);
    }
  }

  private int run(Dataset data, int[] images, ImageCertifier certifier) {
    List<List<String>> rows = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (NDManager manager = NDManager.newBaseManager();
        BufferedWriter lines = out == null ? null : Files.newBufferedWriter(out)) {
      Reports.Progress progress = new Reports.Progress(System.err, images.length);
      int correct = 0;
      for (int k = 0; k < images.length; k++) {
        int i = images[k];
        Certificate c;
        try (NDManager scope = manager.newSubManager()) {
          c = certifier.certify(data.image(scope, i), certify.seed + 1000L * i);
        }
        boolean ok = c.issued() && c.label() == data.label(i);
        correct += ok ? 1 : 0;
        rows.add(List.of(String.valueOf(i), String.valueOf(data.label(i)),
            c.abstained() ? "ABSTAIN" : String.valueOf(c.label()), String.format("%.4f", c.radius()),
            c.issued() ? "yes" : "no", String.valueOf(c.millis())));
        if (lines != null) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("image", i);
          r.put("label", data.label(i));
          r.put("certificate", c);
          lines.write(json.writeValueAsString(r));
          lines.newLine();
        }
        progress.draw(k + 1);
      }
      Reports.table(System.out, List.of("image", "label", "certified label", "radius", "issued", "ms"), rows);
      System.out.printf("correct and certified: %d/%d%n", correct, images.length);
      return 0;
    } catch (Exception e) {
      System.err.println();
      System.err.println("shadowfleet certify: failed: " + e);
      return 1;
    }
  }
}

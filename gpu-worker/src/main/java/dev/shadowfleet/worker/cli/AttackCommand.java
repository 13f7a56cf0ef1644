package dev.shadowfleet.worker.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.worker.engine.EngineCheck;
import dev.shadowfleet.worker.engine.attack.AttackRunner;
import dev.shadowfleet.worker.engine.attack.Certifiers;
import dev.shadowfleet.worker.engine.attack.ImageOutcome;
import dev.shadowfleet.worker.engine.attack.ShadowAttack;
import dev.shadowfleet.worker.engine.attack.TargetOutcome;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelKind;
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

/** {@code shadowfleet attack}: the Shadow Attack plus certification on a range of images, locally. */
@Command(
    name = "attack",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Shadow Attack on images of a dataset against a certified model, certifies the natural and",
      "attacked images, and prints a Table-1-style (randomized smoothing) or Table-2-style (IBP) summary.",
      "Writes per image <out>/image-<i>.png (natural | x'−x centred on grey | adversarial) and",
      "<out>/image-<i>.json, and <out>/summary.json."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:the run failed", "2:bad usage or bad input (the message names the option)"})
final class AttackCommand implements Callable<Integer> {
  @Mixin ModelInputs inputs;
  @Mixin CertifyOptions certify;

  @Option(names = "--targets", defaultValue = "all", paramLabel = "<all|i,j,k>",
      description = "Target classes: all wrong classes, or a list (a target equal to an image's label is left out for that image). Default: ${DEFAULT-VALUE}.")
  String targets;

  @Option(names = "--preset", paramLabel = "<id>",
      description = "paper-rs, paper-rs-3ch, paper-ibp, ablation or quick. Default: paper-rs for smoothed models, paper-ibp for IBP models.")
  String preset;

  @Option(names = "--set", paramLabel = "<key=value>",
      description = "Override one attack parameter, e.g. --set steps=50 --set lambdaTv=0.1 (repeatable).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--out", defaultValue = "shadowfleet-out", paramLabel = "<dir>",
      description = "Output directory. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--trace", description = "Record loss, TV, C and Dissim at every step in the JSON records.")
  boolean trace;

  @Override
  public Integer call() throws Exception {
    if (!EngineCheck.ready("attack", System.err)) {
      return 1;
    }
    try (LoadedModel model = inputs.loadModel()) {
      Dataset data = inputs.openDataset(model);
      int[] images = inputs.imageIndices(data.size());
      int[] targetList = "all".equals(targets) ? null : inputs.indices("--targets", targets,
          model.card().numClasses());
      AttackParams params = attackParams(model.card().kind());
      ShadowAttack attack;
      try {
        attack = new ShadowAttack(params, model.attackClassifier());
      } catch (ParameterException e) {
        throw inputs.bad("--set " + e.field(), e.getMessage());
      }
      var certifier = Certifiers.forModel(model, certify.smoothing(inputs), certify.ibp(inputs));
      boolean ibp = model.card().kind().isIbp();
      AttackRunner runner = new AttackRunner(attack, certifier, certify.mode, ibp);
      return run(model, data, images, targetList, runner, ibp);
    }
  }

  private int run(LoadedModel model, Dataset data, int[] images, int[] targetList,
      AttackRunner runner, boolean ibp) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    List<ImageOutcome> outcomes = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      Files.createDirectories(out);
      Reports.Progress progress = new Reports.Progress(System.err, images.length);
      for (int k = 0; k < images.length; k++) {
        int i = images[k];
        int label = data.label(i);
        try (NDManager scope = manager.newSubManager()) {
          NDArray x = data.image(scope, i);
          ImageOutcome o = runner.run(x, label, targetsFor(label, targetList,
              model.card().numClasses()), certify.seed + 1000L * i);
          outcomes.add(o);
          Map<String, Object> record = new LinkedHashMap<>();
          record.put("image", i);
          record.put("model", model.card().id());
          record.put("dataset", inputs.dataset);
          record.put("outcome", o);
          json.writeValue(out.resolve("image-" + i + ".json").toFile(), record);
          TargetOutcome best = o.bestOutcome();
          if (best != null) {
            int[] s = {data.channels(), data.height(), data.width()};
            Reports.triptych(out.resolve("image-" + i + ".png"), data.pixels(i),
                best.attack().adversarial(), s[0], s[1], s[2]);
          }
        }
        progress.draw(k + 1);
      }
      Map<String, Object> summary = Summary.print(System.out, outcomes, ibp);
      summary.put("model", model.card().id());
      summary.put("dataset", inputs.dataset);
      json.writeValue(out.resolve("summary.json").toFile(), summary);
      System.out.println("records and images in " + out.toAbsolutePath());
      return 0;
    } catch (Exception e) {
      System.err.println();
      System.err.println("shadowfleet attack: failed: " + e);
      return 1;
    }
  }

  private AttackParams attackParams(ModelKind kind) {
    AttackPreset p;
    try {
      p = AttackPreset.byId(preset != null ? preset : kind.isIbp() ? "paper-ibp" : "paper-rs");
    } catch (ParameterException e) {
      throw inputs.bad("--preset", e.getMessage());
    }
    Map<String, Object> typed = new LinkedHashMap<>();
    overrides.forEach((k, v) -> typed.put(k, typed(v)));
    if (trace) {
      typed.put("trace", true);
    }
    try {
      return p.resolve(typed);
    } catch (ParameterException e) {
      throw inputs.bad("--set " + e.field(), e.getMessage());
    }
  }

  /** A --set value as the JSON type it reads as: boolean, null, integer, number, else text. */
  private static Object typed(String v) {
    String s = v.strip();
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    if (s.equals("null")) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException notLong) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException notNumber) {
        return s;
      }
    }
  }

  private static int[] targetsFor(int label, int[] list, int classes) {
    List<Integer> t = new ArrayList<>();
    if (list == null) {
      for (int c = 0; c < classes; c++) {
        t.add(c);
      }
    } else {
      for (int c : list) {
        t.add(c);
      }
    }
    t.remove(Integer.valueOf(label));
    return t.stream().mapToInt(Integer::intValue).toArray();
  }
}

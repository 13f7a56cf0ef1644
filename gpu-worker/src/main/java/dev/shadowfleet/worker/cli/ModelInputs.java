package dev.shadowfleet.worker.cli;

import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetException;
import dev.shadowfleet.worker.engine.data.DatasetUris;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelException;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options shared by {@code attack} and {@code certify}: which model, which dataset, which images. */
final class ModelInputs {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "<id|path>",
      description = "Model id in the model directory, or path to its JSON card (or to the .pt/.npz next to it).")
  String model;

  @Option(names = "--dataset", defaultValue = "fashion-mnist:test", paramLabel = "<uri>",
      description = "Dataset URI (fashion-mnist:test, fashion-mnist-rgb:test, cifar10:<file>, folder:<dir>). Default: ${DEFAULT-VALUE}.")
  String dataset;

  @Option(names = "--images", required = true, paramLabel = "<a..b|i,j,k>",
      description = "Image indices: a range 0..99 (inclusive) or a list 3,5,7.")
  String images;

  LoadedModel loadModel() {
    try {
      return ModelRegistry.fromEnvironment().load(model);
    } catch (ModelException e) {
      throw bad("--model", e.getMessage());
    }
  }

  Dataset openDataset(LoadedModel m) {
    Dataset d;
    try {
      d = DatasetUris.open(dataset);
    } catch (DatasetException e) {
      throw bad("--dataset", e.getMessage());
    }
    List<Integer> shape = m.card().inputShape();
    if (d.channels() != shape.get(0) || d.height() != shape.get(1) || d.width() != shape.get(2)) {
      throw bad("--dataset", "images are " + d.channels() + "×" + d.height() + "×" + d.width()
          + " but model " + m.card().id() + " takes " + shape);
    }
    return d;
  }

  /** The indices {@code --images} names, each checked against the dataset's size. */
  int[] imageIndices(int size) {
    return indices("--images", images, size);
  }

  ParameterException bad(String option, String reason) {
    return new ParameterException(spec.commandLine(), option + ": " + reason);
  }

  /** Parses "a..b" (inclusive) or "i,j,k" into indices in [0, limit). */
  int[] indices(String option, String text, int limit) {
    List<Integer> out = new ArrayList<>();
    try {
      String t = text.strip();
      int dots = t.indexOf("..");
      if (dots >= 0) {
        int a = Integer.parseInt(t.substring(0, dots).strip());
        int b = Integer.parseInt(t.substring(dots + 2).strip());
        if (b < a) {
          throw bad(option, "range " + t + " is empty (end before start)");
        }
        for (int i = a; i <= b; i++) {
          out.add(i);
        }
      } else {
        for (String part : t.split(",")) {
          out.add(Integer.parseInt(part.strip()));
        }
      }
    } catch (NumberFormatException e) {
      throw bad(option, "expected a..b or i,j,k with integers, got '" + text + "'");
    }
    for (int i : out) {
      if (i < 0 || i >= limit) {
        throw bad(option, "index " + i + " is outside [0, " + limit + ")");
      }
    }
    if (out.stream().distinct().count() != out.size()) {
      throw bad(option, "'" + text + "' lists an index twice");
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}

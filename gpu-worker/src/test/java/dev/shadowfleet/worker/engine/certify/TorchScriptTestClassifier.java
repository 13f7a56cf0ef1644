package dev.shadowfleet.worker.engine.certify;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.shadowfleet.worker.engine.model.Classifier;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A minimal TorchScript classifier for the certifier tests (the model registry's loader lives in
 * engine.model once it lands): the file's forward maps [0,1] pixels to logits, normalization inside.
 */
final class TorchScriptTestClassifier implements Classifier, AutoCloseable {
  private final Model model;
  private final ModelCard card;

  TorchScriptTestClassifier(String resource, double sigma, int channels, int size, int classes) {
    try {
      Path path = Paths.get(TorchScriptTestClassifier.class.getResource(resource).toURI());
      model = Model.newInstance("certify-test", Device.cpu(), "PyTorch");
      model.load(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (MalformedModelException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    card =
        new ModelCard(
            resource,
            ModelCard.TORCHSCRIPT,
            resource,
            null,
            List.of(channels, size, size),
            null,
            null,
            IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
            ModelKind.smoothed(sigma),
            null,
            null,
            null);
  }

  @Override
  public ModelCard card() {
    return card;
  }

  @Override
  public NDArray logits(NDArray pixels) {
    return model
        .getBlock()
        .forward(new ParameterStore(pixels.getManager(), false), new NDList(pixels), false)
        .singletonOrThrow();
  }

  /**
   * A copy of a parameter of the TorchScript module by name (e.g. {@code 1.weight}) in {@code
   * manager}. A copy, because the loaded parameters are inference tensors, which autograd refuses
   * to save for backward.
   */
  NDArray parameter(String name, ai.djl.ndarray.NDManager manager) {
    NDArray copy = model.getBlock().getParameters().get(name).getArray().duplicate();
    copy.attach(manager);
    return copy;
  }

  @Override
  public void close() {
    model.close();
  }
}

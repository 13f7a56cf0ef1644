package dev.shadowfleet.worker.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The JSON card next to a model file: everything needed to load it, run it and trust its results.
 *
 * @param id model id, e.g. {@code fmnist-rs-0.25}
 * @param format {@code sequential} (weights file + {@code layers}) or {@code torchscript}
 * @param file weights or TorchScript file, relative to the card
 * @param sha256 SHA-256 of {@code file}, checked before loading
 * @param inputShape [C, H, W]
 * @param mean per-channel mean of the normalization folded into the forward pass
 * @param std per-channel std of that normalization
 * @param classNames one name per output
 * @param kind smoothed(σ) or ibp(ε)
 * @param layers the layer list (required for IBP models; optional for TorchScript smoothed models)
 * @param training how it was trained (command, seed, epochs, …)
 * @param metrics measured on the test set (clean accuracy, certified accuracy, …)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
    String id,
    String format,
    String file,
    String sha256,
    List<Integer> inputShape,
    List<Double> mean,
    List<Double> std,
    List<String> classNames,
    ModelKind kind,
    List<LayerSpec> layers,
    Map<String, Object> training,
    Map<String, Object> metrics) {

  public static final String SEQUENTIAL = "sequential";
  public static final String TORCHSCRIPT = "torchscript";

  public int channels() {
    return inputShape.get(0);
  }

  public int numClasses() {
    return classNames.size();
  }
}

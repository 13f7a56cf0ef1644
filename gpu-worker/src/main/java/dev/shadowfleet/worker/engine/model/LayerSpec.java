package dev.shadowfleet.worker.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One layer of a sequential network as written in a model card. The bound engine walks these, so
 * only the types below exist; anything else is refused when the card is read.
 *
 * @param type {@code conv2d}, {@code linear}, {@code relu} or {@code flatten}
 * @param in input channels (conv2d) or features (linear)
 * @param out output channels (conv2d) or features (linear)
 * @param kernel square kernel size (conv2d)
 * @param stride stride (conv2d)
 * @param padding zero padding on every side (conv2d)
 * @param weight name of the weight tensor in the weights file
 * @param bias name of the bias tensor in the weights file
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerSpec(
    String type,
    Integer in,
    Integer out,
    Integer kernel,
    Integer stride,
    Integer padding,
    String weight,
    String bias) {

  public static final String CONV2D = "conv2d";
  public static final String LINEAR = "linear";
  public static final String RELU = "relu";
  public static final String FLATTEN = "flatten";

  public static LayerSpec conv2d(int in, int out, int kernel, int stride, int padding, String name) {
    return new LayerSpec(CONV2D, in, out, kernel, stride, padding, name + ".weight", name + ".bias");
  }

  public static LayerSpec linear(int in, int out, String name) {
    return new LayerSpec(LINEAR, in, out, null, null, null, name + ".weight", name + ".bias");
  }

  public static LayerSpec relu() {
    return new LayerSpec(RELU, null, null, null, null, null, null, null);
  }

  public static LayerSpec flatten() {
    return new LayerSpec(FLATTEN, null, null, null, null, null, null, null);
  }
}

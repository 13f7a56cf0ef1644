package dev.shadowfleet.worker.engine.certify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.worker.engine.model.Layer;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.ModelKind;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** The network of {@code fixtures/ibp_reference.json} (tools/reference/ibp_reference.py). */
final class ReferenceNetwork {
  final JsonNode root;

  ReferenceNetwork() {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/ibp_reference.json")) {
      root = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long[] inputShape() {
    JsonNode s = root.get("inputShape");
    return new long[] {s.get(0).asLong(), s.get(1).asLong(), s.get(2).asLong()};
  }

  int numClasses() {
    JsonNode last = root.get("layers").get(root.get("layers").size() - 1);
    return last.get("shape").get(0).asInt();
  }

  /** The network with weights in {@code manager}, in the given float type. */
  SequentialNetwork network(NDManager manager, DataType dtype) {
    long[] in = inputShape();
    int channels = (int) in[0];
    Layer.Normalize norm =
        new Layer.Normalize(
            array(manager, root.get("mean"), new Shape(channels, 1, 1), dtype),
            array(manager, root.get("std"), new Shape(channels, 1, 1), dtype));
    List<Layer> layers = new ArrayList<>();
    for (JsonNode l : root.get("layers")) {
      switch (l.get("type").asText()) {
        case "conv2d" -> layers.add(
            new Layer.Conv2d(
                array(manager, l.get("weight"), shape(l.get("shape")), dtype),
                array(manager, l.get("bias"), new Shape(l.get("bias").size()), dtype),
                l.get("stride").asInt(),
                l.get("padding").asInt()));
        case "linear" -> layers.add(
            new Layer.Linear(
                array(manager, l.get("weight"), shape(l.get("shape")), dtype),
                array(manager, l.get("bias"), new Shape(l.get("bias").size()), dtype)));
        case "relu" -> layers.add(new Layer.Relu());
        case "flatten" -> layers.add(new Layer.Flatten());
        default -> throw new IllegalStateException(l.get("type").asText());
      }
    }
    return new SequentialNetwork(card("ibp-reference", in, numClasses()), norm, layers);
  }

  NDArray x(NDManager manager, DataType dtype) {
    long[] in = inputShape();
    int n = root.get("labels").size();
    return array(manager, root.get("x"), new Shape(n, in[0], in[1], in[2]), dtype);
  }

  NDArray labels(NDManager manager) {
    JsonNode l = root.get("labels");
    return manager.create(IntStream.range(0, l.size()).mapToLong(i -> l.get(i).asLong()).toArray());
  }

  static ModelCard card(String id, long[] in, int classes) {
    return new ModelCard(
        id,
        ModelCard.SEQUENTIAL,
        null,
        null,
        List.of((int) in[0], (int) in[1], (int) in[2]),
        null,
        null,
        IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
        ModelKind.ibp(0.1),
        null,
        null,
        null);
  }

  static Shape shape(JsonNode s) {
    long[] d = new long[s.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = s.get(i).asLong();
    }
    return new Shape(d);
  }

  static NDArray array(NDManager manager, JsonNode values, Shape shape, DataType dtype) {
    double[] v = new double[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i).asDouble();
    }
    return manager.create(v, shape).toType(dtype, false);
  }

  static double[][] matrix(JsonNode m) {
    double[][] out = new double[m.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new double[m.get(i).size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = m.get(i).get(j).asDouble();
      }
    }
    return out;
  }
}

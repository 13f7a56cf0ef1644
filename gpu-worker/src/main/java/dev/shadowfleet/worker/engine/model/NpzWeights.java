package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named float32 tensors in a NumPy {@code .npz} file (what {@code numpy.savez} writes and {@code
 * numpy.load} reads), through DJL's NPZ codec. Names follow PyTorch's {@code state_dict} of an {@code
 * nn.Sequential}: {@code 0.weight}, {@code 0.bias}, …
 */
public final class NpzWeights {
  private NpzWeights() {}

  /** Reads every array of {@code file} into {@code manager}, by name, in file order. */
  public static Map<String, NDArray> read(Path file, NDManager manager) {
    NDList list;
    try (InputStream in = Files.newInputStream(file)) {
      list = NDList.decode(manager, in);
    } catch (IOException | RuntimeException e) {
      throw new ModelException("cannot read weights file " + file + " as NPZ: " + e.getMessage(), e);
    }
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (NDArray a : list) {
      if (a.getName() == null || byName.put(a.getName(), a) != null) {
        throw new ModelException("weights file " + file + " has an unnamed or repeated array " + a.getName());
      }
      if (a.getDataType() != DataType.FLOAT32) {
        throw new ModelException(
            "weights file " + file + ": array " + a.getName() + " is " + a.getDataType() + ", expected float32");
      }
    }
    return byName;
  }

  /** Writes the arrays under their map keys (float32). */
  public static void write(Path file, Map<String, NDArray> arrays) {
    NDList list = new NDList();
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      NDArray copy = e.getValue().toType(DataType.FLOAT32, true);
      copy.setName(e.getKey());
      list.add(copy);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      list.encode(out, NDList.Encoding.NPZ);
    } catch (IOException e) {
      throw new ModelException("cannot write weights file " + file + ": " + e.getMessage(), e);
    } finally {
      list.close();
    }
  }
}

package dev.shadowfleet.worker.engine.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A labelled image dataset addressed by a URI a job can carry (see {@code DatasetUris}). Pixels are
 * floats in [0,1], laid out CHW.
 */
public interface Dataset {

  /** The URI this dataset was opened from, e.g. {@code fashion-mnist:test}. */
  String uri();

  /** Number of images. */
  int size();

  /** Number of classes; labels are in [0, numClasses). */
  int numClasses();

  /** Human-readable class names, {@code numClasses()} of them. */
  List<String> classNames();

  /** Channels C (1 for Fashion-MNIST, 3 for RGB). */
  int channels();

  int height();

  int width();

  /**
   * Image {@code index} as C·H·W floats in [0,1], CHW order.
   *
   * @throws DatasetException if the index is out of range or the file cannot be read
   */
  float[] pixels(int index);

  /** Label of image {@code index}. */
  int label(int index);

  /** Image {@code index} as a float32 C×H×W array owned by {@code manager}. */
  default NDArray image(NDManager manager, int index) {
    return manager.create(pixels(index), new Shape(channels(), height(), width()));
  }
}

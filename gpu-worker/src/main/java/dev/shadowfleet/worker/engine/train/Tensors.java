package dev.shadowfleet.worker.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.shadowfleet.worker.engine.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/** The first {@code n} images of a dataset in one float array, for fast batching. */
final class Tensors {
  final int n;
  final int c;
  final int h;
  final int w;
  final int classes;
  final float[] pixels;
  final int[] labels;

  private Tensors(int n, int c, int h, int w, int classes, float[] pixels, int[] labels) {
    this.n = n;
    this.c = c;
    this.h = h;
    this.w = w;
    this.classes = classes;
    this.pixels = pixels;
    this.labels = labels;
  }

  static Tensors load(Dataset d, int n) {
    int size = d.channels() * d.height() * d.width();
    float[] pixels = new float[n * size];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(d.pixels(i), 0, pixels, i * size, size);
      labels[i] = d.label(i);
    }
    return new Tensors(n, d.channels(), d.height(), d.width(), d.numClasses(), pixels, labels);
  }

  private int size() {
    return c * h * w;
  }

  /** Images order[from..to) as a B×C×H×W array. */
  NDArray images(NDManager m, int[] order, int from, int to) {
    float[] b = new float[(to - from) * size()];
    for (int i = from; i < to; i++) {
      System.arraycopy(pixels, (order == null ? i : order[i]) * size(), b, (i - from) * size(), size());
    }
    return m.create(b, new Shape(to - from, c, h, w));
  }

  int[] labels(int[] order, int from, int to) {
    int[] l = new int[to - from];
    for (int i = from; i < to; i++) {
      l[i - from] = labels[order == null ? i : order[i]];
    }
    return l;
  }

  NDArray oneHot(NDManager m, int[] order, int from, int to) {
    float[] b = new float[(to - from) * classes];
    int[] l = labels(order, from, to);
    for (int i = 0; i < l.length; i++) {
      b[i * classes + l[i]] = 1f;
    }
    return m.create(b, new Shape(l.length, classes));
  }

  /** Per-channel mean over all pixels (rounded to 4 digits, as written in the card). */
  List<Double> channelMeans() {
    List<Double> out = new ArrayList<>();
    for (int ch = 0; ch < c; ch++) {
      out.add(round(stats(ch)[0]));
    }
    return out;
  }

  List<Double> channelStds() {
    List<Double> out = new ArrayList<>();
    for (int ch = 0; ch < c; ch++) {
      out.add(round(stats(ch)[1]));
    }
    return out;
  }

  private double[] stats(int ch) {
    double s = 0;
    double s2 = 0;
    long count = 0;
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      int off = i * size() + ch * plane;
      for (int j = 0; j < plane; j++) {
        double v = pixels[off + j];
        s += v;
        s2 += v * v;
      }
      count += plane;
    }
    double mean = s / count;
    return new double[] {mean, Math.sqrt(Math.max(1e-12, s2 / count - mean * mean))};
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}

package dev.shadowfleet.worker.engine.data;

/**
 * torchvision's ImageNet evaluation transform {@code Resize(resize)} then {@code CenterCrop(crop)},
 * on CHW float images.
 *
 * <ul>
 *   <li>Resize: the shorter side becomes {@code resize}, the longer {@code (int) (resize · long /
 *       short)} (truncated, as torchvision); no resampling when the shorter side already equals
 *       {@code resize}. Resampling is separable antialiased bilinear (triangle filter whose support
 *       widens by the scale factor when shrinking, half-pixel centres, weights renormalised at the
 *       borders): the filter of PIL's {@code BILINEAR} resize and of PyTorch's {@code
 *       interpolate(mode="bilinear", align_corners=False, antialias=True)}; when enlarging it equals
 *       plain bilinear. Computed in float64 weights over float32 pixels, no intermediate rounding.
 *   <li>Center crop: top = round_half_even((h − crop) / 2), left likewise, as torchvision.
 * </ul>
 *
 * @param resize target length of the shorter side, ≥ 1
 * @param crop side of the square center crop, 1 ≤ crop ≤ resize
 */
public record EvalTransform(int resize, int crop) {

  /** torchvision's ImageNet evaluation sizes. */
  public static final EvalTransform IMAGENET = new EvalTransform(256, 224);

  public EvalTransform {
    if (resize < 1) {
      throw new IllegalArgumentException("resize must be ≥ 1, got " + resize);
    }
    if (crop < 1 || crop > resize) {
      throw new IllegalArgumentException("crop must be in 1.." + resize + " (resize), got " + crop);
    }
  }

  /** Applies resize then crop to a {@code channels×h×w} image; returns {@code channels×crop×crop}. */
  public float[] apply(float[] chw, int channels, int h, int w) {
    int[] size = resizedSize(h, w);
    float[] resized = chw;
    if (size[0] != h || size[1] != w) {
      resized = resize(chw, channels, h, w, size[0], size[1]);
    }
    return centerCrop(resized, channels, size[0], size[1], crop);
  }

  /** {height, width} after the resize step. */
  int[] resizedSize(int h, int w) {
    int shortSide = Math.min(h, w);
    int longSide = Math.max(h, w);
    if (shortSide == resize) {
      return new int[] {h, w};
    }
    int newLong = (int) ((double) resize * longSide / shortSide);
    return h <= w ? new int[] {resize, newLong} : new int[] {newLong, resize};
  }

  /** Antialiased bilinear resize of a CHW image, width first then height. */
  static float[] resize(float[] chw, int channels, int h, int w, int outH, int outW) {
    Weights horizontal = Weights.of(w, outW);
    Weights vertical = Weights.of(h, outH);
    float[] tmp = new float[channels * h * outW];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < h; y++) {
        int in = (c * h + y) * w;
        int out = (c * h + y) * outW;
        for (int x = 0; x < outW; x++) {
          tmp[out + x] = horizontal.sample(chw, in, 1, x);
        }
      }
    }
    float[] result = new float[channels * outH * outW];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < outH; y++) {
        for (int x = 0; x < outW; x++) {
          result[(c * outH + y) * outW + x] = vertical.sample(tmp, c * h * outW + x, outW, y);
        }
      }
    }
    return result;
  }

  /** Crops the centered {@code crop×crop} square, offsets rounded half-to-even as Python's round. */
  static float[] centerCrop(float[] chw, int channels, int h, int w, int crop) {
    int top = (int) Math.rint((h - crop) / 2.0);
    int left = (int) Math.rint((w - crop) / 2.0);
    float[] out = new float[channels * crop * crop];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < crop; y++) {
        System.arraycopy(chw, (c * h + top + y) * w + left, out, (c * crop + y) * crop, crop);
      }
    }
    return out;
  }

  /** Per output position: the first input index and the normalised filter weights. */
  private record Weights(int[] first, double[][] weights) {

    static Weights of(int in, int out) {
      double scale = (double) in / out;
      double support = scale >= 1 ? scale : 1.0;
      double invScale = scale >= 1 ? 1.0 / scale : 1.0;
      int[] first = new int[out];
      double[][] weights = new double[out][];
      for (int i = 0; i < out; i++) {
        double center = scale * (i + 0.5);
        int min = Math.max((int) (center - support + 0.5), 0);
        int max = Math.min((int) (center + support + 0.5), in);
        double[] w = new double[max - min];
        double total = 0;
        for (int j = 0; j < w.length; j++) {
          double t = Math.abs((j + min - center + 0.5) * invScale);
          w[j] = t < 1 ? 1 - t : 0;
          total += w[j];
        }
        for (int j = 0; j < w.length; j++) {
          w[j] /= total;
        }
        first[i] = min;
        weights[i] = w;
      }
      return new Weights(first, weights);
    }

    /** Weighted sum for output {@code i} over {@code data[offset + stride·k]}. */
    float sample(float[] data, int offset, int stride, int i) {
      double[] w = weights[i];
      double sum = 0;
      for (int j = 0; j < w.length; j++) {
        sum += w[j] * data[offset + stride * (first[i] + j)];
      }
      return (float) sum;
    }
  }
}

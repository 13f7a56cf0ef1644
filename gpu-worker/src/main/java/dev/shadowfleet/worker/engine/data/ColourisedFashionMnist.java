package dev.shadowfleet.worker.engine.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Fashion-MNIST in colour, 3×28×28, same labels: each image gets an object colour and a different
 * background colour from {@link #PALETTE}, drawn by a generator that depends only on (index, seed),
 * and pixel = g·c_obj + (1−g)·c_bg per channel, g = grey byte / 255f. See docs/datasets.md.
 */
public final class ColourisedFashionMnist implements Dataset {

  /** Seed used when a URI names none. */
  public static final long DEFAULT_SEED = 2020L;

  /** Multiplier that spreads consecutive indices over the seed space (a 64-bit odd constant). */
  static final long INDEX_MIX = 0xD1B54A32D192ED03L;

  /** The eight palette colours, RGB in [0,1]. */
  public static final List<float[]> PALETTE =
      List.of(
          new float[] {1.00f, 1.00f, 1.00f}, // white
          new float[] {0.00f, 0.00f, 0.00f}, // black
          new float[] {0.90f, 0.10f, 0.10f}, // red
          new float[] {0.10f, 0.70f, 0.20f}, // green
          new float[] {0.15f, 0.30f, 0.90f}, // blue
          new float[] {0.95f, 0.85f, 0.10f}, // yellow
          new float[] {0.10f, 0.80f, 0.85f}, // cyan
          new float[] {0.80f, 0.20f, 0.75f}); // magenta

  private final FashionMnist grey;
  private final long seed;
  private final String uri;

  public ColourisedFashionMnist(FashionMnist grey, long seed, String uri) {
    this.grey = grey;
    this.seed = seed;
    this.uri = uri;
  }

  public long seed() {
    return seed;
  }

  /**
   * Palette indices {object, background} of image {@code index}: a {@link SplittableRandom} seeded
   * with {@code seed ^ (index * INDEX_MIX)} draws two longs a, b; object = a mod 8, background =
   * b mod 7, skipping the object colour (background += 1 when ≥ object); mod is unsigned.
   */
  public static int[] colours(int index, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ (index * INDEX_MIX));
    int n = PALETTE.size();
    int object = (int) Long.remainderUnsigned(random.nextLong(), n);
    int background = (int) Long.remainderUnsigned(random.nextLong(), n - 1);
    if (background >= object) {
      background++;
    }
    return new int[] {object, background};
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public int size() {
    return grey.size();
  }

  @Override
  public int numClasses() {
    return grey.numClasses();
  }

  @Override
  public List<String> classNames() {
    return grey.classNames();
  }

  @Override
  public int channels() {
    return 3;
  }

  @Override
  public int height() {
    return grey.height();
  }

  @Override
  public int width() {
    return grey.width();
  }

  @Override
  public float[] pixels(int index) {
    DatasetException.checkIndex(uri, index, size());
    int[] pair = colours(index, seed);
    float[] object = PALETTE.get(pair[0]);
    float[] background = PALETTE.get(pair[1]);
    int plane = height() * width();
    float[] out = new float[3 * plane];
    for (int p = 0; p < plane; p++) {
      float g = grey.grey(index, p) / 255f;
      for (int c = 0; c < 3; c++) {
        out[c * plane + p] = g * object[c] + (1f - g) * background[c];
      }
    }
    return out;
  }

  @Override
  public int label(int index) {
    DatasetException.checkIndex(uri, index, size());
    return grey.label(index);
  }
}

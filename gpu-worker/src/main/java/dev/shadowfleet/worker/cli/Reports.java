package dev.shadowfleet.worker.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** What the CLI writes: the triptych PNG, the progress bar and plain-text tables. */
final class Reports {
  private Reports() {}

  /**
   * natural | perturbation | adversarial, side by side. The perturbation is what reaches the image,
   * d = x' − x, shown centred on grey: 0.5 + d / (2·max|d|) (so mid-grey is "no change" and the
   * largest change maps to black or white). Images smaller than 112 px are upscaled (nearest
   * neighbour) to about 112 px.
   */
  static void triptych(Path file, float[] natural, float[] adversarial, int c, int h, int w)
      throws IOException {
    float[] d = new float[natural.length];
    float max = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = adversarial[i] - natural[i];
      max = Math.max(max, Math.abs(d[i]));
    }
    float[] shown = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      shown[i] = max == 0 ? 0.5f : 0.5f + d[i] / (2 * max);
    }
    int scale = Math.max(1, 112 / Math.max(h, w));
    int gap = 4;
    BufferedImage img = new BufferedImage(3 * w * scale + 2 * gap, h * scale, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, 0xFFFFFF);
      }
    }
    List<float[]> panels = List.of(natural, shown, adversarial);
    for (int p = 0; p < 3; p++) {
      float[] a = panels.get(p);
      for (int y = 0; y < h * scale; y++) {
        for (int x = 0; x < w * scale; x++) {
          int pix = (y / scale) * w + x / scale;
          int r = byteOf(a[pix]);
          int g = c == 3 ? byteOf(a[h * w + pix]) : r;
          int b = c == 3 ? byteOf(a[2 * h * w + pix]) : r;
          img.setRGB(p * (w * scale + gap) + x, y, (r << 16) | (g << 8) | b);
        }
      }
    }
    ImageIO.write(img, "png", file.toFile());
  }

  private static int byteOf(float v) {
    return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
  }

  /** A fixed-width table: a header row, a rule, the rows. */
  static void table(PrintStream out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    StringBuilder rule = new StringBuilder();
    out.println(row(header, width));
    for (int wi : width) {
      rule.append("-".repeat(wi)).append("  ");
    }
    out.println(rule.toString().stripTrailing());
    for (List<String> r : rows) {
      out.println(row(r, width));
    }
  }

  private static String row(List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      sb.append(String.format("%-" + width[i] + "s  ", cells.get(i)));
    }
    return sb.toString().stripTrailing();
  }

  /** "[#####.....] 3/10 images  ETA 0:42" on stderr, redrawn in place. */
  static final class Progress {
    private final PrintStream err;
    private final int total;
    private final long start = System.nanoTime();

    Progress(PrintStream err, int total) {
      this.err = err;
      this.total = total;
      draw(0);
    }

    void draw(int done) {
      int filled = total == 0 ? 30 : done * 30 / total;
      String eta = "--:--";
      if (done > 0) {
        long left = (System.nanoTime() - start) / done * (total - done) / 1_000_000_000L;
        eta = String.format("%d:%02d", left / 60, left % 60);
      }
      err.printf("\r[%s%s] %d/%d images  ETA %s ", "#".repeat(filled), ".".repeat(30 - filled),
          done, total, eta);
      if (done == total) {
        err.println();
      }
      err.flush();
    }
  }

  /** mean ± std of {@code v} (population std), or "–" when empty. */
  static String meanStd(double[] v) {
    if (v.length == 0) {
      return "–";
    }
    double mean = 0;
    for (double x : v) {
      mean += x / v.length;
    }
    double var = 0;
    for (double x : v) {
      var += (x - mean) * (x - mean) / v.length;
    }
    return String.format("%.3f ± %.3f", mean, Math.sqrt(var));
  }
}

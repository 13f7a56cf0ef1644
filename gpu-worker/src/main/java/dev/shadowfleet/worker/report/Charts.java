package dev.shadowfleet.worker.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Small PNG charts drawn with Java2D (headless): grouped bars (histograms, rates), lines over a numeric
 * axis (curves over steps or a parameter), and image grids with row and column headers.
 */
public final class Charts {
  private Charts() {}

  /** Series colours (colour-blind safe: Okabe–Ito). */
  static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
      new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9)};

  private static final int W = 640;
  private static final int H = 360;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 40;
  private static final int BOTTOM = 56;

  /**
   * Grouped bars: {@code values[s][i]} is series s at category i; NaN draws no bar.
   *
   * @param yMax top of the y axis, or ≤ 0 to fit the data
   */
  public static BufferedImage bars(String title, List<String> categories, List<String> series,
      double[][] values, String xLabel, String yLabel, double yMax) {
    double top = yMax > 0 ? yMax : integral(values) ? 5 * Math.max(1, Math.ceil(max(values) / 5)) : niceTop(max(values));
    BufferedImage img = canvas();
    Graphics2D g = frame(img, title, xLabel, yLabel, top);
    int n = categories.size();
    double slot = (W - LEFT - RIGHT) / (double) Math.max(1, n);
    double bar = slot * 0.8 / series.size();
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < series.size(); s++) {
        double v = values[s][i];
        if (Double.isNaN(v)) {
          continue;
        }
        int h = (int) Math.round(Math.min(v, top) / top * (H - TOP - BOTTOM));
        int x = (int) Math.round(LEFT + i * slot + slot * 0.1 + s * bar);
        g.setColor(PALETTE[s % PALETTE.length]);
        g.fillRect(x, H - BOTTOM - h, Math.max(1, (int) Math.floor(bar) - 1), h);
      }
      g.setColor(Color.DARK_GRAY);
      String c = categories.get(i);
      int every = Math.max(1, n / 12);
      if (i % every == 0) {
        g.drawString(c, (int) (LEFT + i * slot + slot / 2 - g.getFontMetrics().stringWidth(c) / 2.0), H - BOTTOM + 16);
      }
    }
    legend(g, series);
    g.dispose();
    return img;
  }

  /** Lines: {@code ys[s][i]} at {@code xs[i]}; NaN breaks a line. Points are marked. */
  public static BufferedImage lines(String title, double[] xs, List<String> series, double[][] ys,
      String xLabel, String yLabel) {
    double top = niceTop(max(ys));
    double x0 = xs.length == 0 ? 0 : xs[0];
    double x1 = xs.length == 0 ? 1 : xs[xs.length - 1];
    if (x1 == x0) {
      x1 = x0 + 1;
    }
    BufferedImage img = canvas();
    Graphics2D g = frame(img, title, xLabel, yLabel, top);
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    double step = niceTop((x1 - x0) / 6);
    for (double xv = Math.ceil(x0 / step) * step; xv <= x1 + 1e-9 * step; xv += step) {
      String t = fmt(Math.abs(xv) < 1e-12 ? 0 : xv);
      int x = (int) Math.round(LEFT + (xv - x0) / (x1 - x0) * pw);
      g.setColor(Color.DARK_GRAY);
      g.drawString(t, x - g.getFontMetrics().stringWidth(t) / 2, H - BOTTOM + 16);
    }
    g.setStroke(new BasicStroke(2f));
    for (int s = 0; s < series.size(); s++) {
      g.setColor(PALETTE[s % PALETTE.length]);
      int px = -1;
      int py = -1;
      for (int i = 0; i < xs.length; i++) {
        double v = ys[s][i];
        if (Double.isNaN(v)) {
          px = -1;
          continue;
        }
        int x = (int) Math.round(LEFT + (xs[i] - x0) / (x1 - x0) * pw);
        int y = (int) Math.round(H - BOTTOM - Math.min(v, top) / top * ph);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 3, y - 3, 6, 6);
        px = x;
        py = y;
      }
    }
    legend(g, series);
    g.dispose();
    return img;
  }

  /**
   * A grid of equally sized images with a header above each column and one left of each row; null
   * cells stay blank.
   */
  public static BufferedImage grid(String title, List<String> columns, List<String> rows,
      BufferedImage[][] cells) {
    int cw = 0;
    int ch = 0;
    for (BufferedImage[] r : cells) {
      for (BufferedImage c : r) {
        if (c != null) {
          cw = Math.max(cw, c.getWidth());
          ch = Math.max(ch, c.getHeight());
        }
      }
    }
    int gap = 4;
    int head = 44;
    int side = 90;
    BufferedImage img = new BufferedImage(side + columns.size() * (cw + gap), head + rows.size() * (ch + gap),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString(title, 8, 16);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int j = 0; j < columns.size(); j++) {
      String t = columns.get(j);
      g.drawString(t, side + j * (cw + gap) + (cw - g.getFontMetrics().stringWidth(t)) / 2, head - 8);
    }
    for (int i = 0; i < rows.size(); i++) {
      g.drawString(rows.get(i), 6, head + i * (ch + gap) + ch / 2 + 4);
      for (int j = 0; j < columns.size(); j++) {
        if (j < cells[i].length && cells[i][j] != null) {
          g.drawImage(cells[i][j], side + j * (cw + gap), head + i * (ch + gap), null);
        }
      }
    }
    g.dispose();
    return img;
  }

  /** Writes a PNG, creating the directory. */
  public static void write(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(img, "png", file.toFile());
  }

  /** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v (1 when v ≤ 0 or not finite). */
  static double niceTop(double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v * (1 - 1e-12)) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /** Every value is a whole number (counts): the y axis then ends on a multiple of 5, so ticks are whole. */
  private static boolean integral(double[][] v) {
    for (double[] r : v) {
      for (double x : r) {
        if (!Double.isNaN(x) && x != Math.rint(x)) {
          return false;
        }
      }
    }
    return true;
  }

  private static double max(double[][] v) {
    double m = 0;
    for (double[] r : v) {
      for (double x : r) {
        if (!Double.isNaN(x)) {
          m = Math.max(m, x);
        }
      }
    }
    return m;
  }

  private static BufferedImage canvas() {
    return new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
  }

  private static Graphics2D frame(BufferedImage img, String title, String xLabel, String yLabel, double top) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, 22);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    int ph = H - TOP - BOTTOM;
    for (int k = 0; k <= 5; k++) {
      int y = H - BOTTOM - ph * k / 5;
      g.setColor(new Color(0xE0E0E0));
      g.drawLine(LEFT, y, W - RIGHT, y);
      g.setColor(Color.DARK_GRAY);
      String t = fmt(top * k / 5);
      g.drawString(t, LEFT - 6 - g.getFontMetrics().stringWidth(t), y + 4);
    }
    g.setColor(Color.BLACK);
    g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
    g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
    g.drawString(xLabel, LEFT + (W - LEFT - RIGHT - g.getFontMetrics().stringWidth(xLabel)) / 2, H - 12);
    Graphics2D r = (Graphics2D) g.create();
    r.rotate(-Math.PI / 2);
    r.drawString(yLabel, -(TOP + ph / 2 + r.getFontMetrics().stringWidth(yLabel) / 2), 14);
    r.dispose();
    return g;
  }

  private static void legend(Graphics2D g, List<String> series) {
    int x = W - RIGHT - 8;
    int y = TOP + 4;
    for (int s = 0; s < series.size(); s++) {
      String t = series.get(s);
      int tw = g.getFontMetrics().stringWidth(t);
      g.setColor(PALETTE[s % PALETTE.length]);
      g.fillRect(x - tw - 18, y + s * 16, 12, 10);
      g.setColor(Color.BLACK);
      g.drawString(t, x - tw, y + s * 16 + 10);
    }
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e6) {
      return String.valueOf((long) v);
    }
    if (Math.abs(v) >= 0.01) {
      return new java.math.BigDecimal(String.format(java.util.Locale.ROOT, "%.3g", v)).stripTrailingZeros()
          .toPlainString();
    }
    return String.format(java.util.Locale.ROOT, "%.1e", v);
  }
}

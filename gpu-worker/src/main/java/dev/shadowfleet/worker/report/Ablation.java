package dev.shadowfleet.worker.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The §4 ablation data, as {@code tools/repro/ablation.sh} stores it from {@code shadowfleet attack --trace}:
 * {@code steps/trace.csv} (image, label, target, step, spoof, tv, color, dissim, total: the loss terms
 * before each update) and, per swept parameter, {@code <param>/<value>/final.csv} (the same terms at the
 * final δ, one row per image × target) with the CLI's triptych {@code image-<i>.png} of the best target.
 */
public final class Ablation {
  private Ablation() {}

  /** Loss terms of one (image, target) at one step; {@code step} is −1 for a final row. */
  public record Terms(int image, int target, int step, double spoof, double tv, double color, double dissim,
      double total) {}

  /** Reads a trace or final CSV (named columns; a final CSV has no {@code step} column). */
  public static List<Terms> read(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> header = OutcomeCsv.split(lines.get(0));
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      col.put(header.get(i).trim(), i);
    }
    List<Terms> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      List<String> v = OutcomeCsv.split(line);
      out.add(new Terms((int) num(v, col, "image", csv), (int) num(v, col, "target", csv),
          col.containsKey("step") ? (int) num(v, col, "step", csv) : -1, num(v, col, "spoof", csv),
          num(v, col, "tv", csv), num(v, col, "color", csv), num(v, col, "dissim", csv), num(v, col, "total", csv)));
    }
    return out;
  }

  private static double num(List<String> v, Map<String, Integer> col, String name, Path file) {
    Integer i = col.get(name);
    if (i == null) {
      throw new IllegalArgumentException(file + ": no column `" + name + "`");
    }
    return Double.parseDouble(v.get(i).trim());
  }

  /** Mean of each term per step over all (image, target) pairs: step → {spoof, tv, color, dissim, total}. */
  public static TreeMap<Integer, double[]> meanByStep(List<Terms> trace) {
    TreeMap<Integer, double[]> sum = new TreeMap<>();
    TreeMap<Integer, Integer> count = new TreeMap<>();
    for (Terms t : trace) {
      double[] s = sum.computeIfAbsent(t.step(), k -> new double[5]);
      s[0] += t.spoof();
      s[1] += t.tv();
      s[2] += t.color();
      s[3] += t.dissim();
      s[4] += t.total();
      count.merge(t.step(), 1, Integer::sum);
    }
    sum.forEach((k, s) -> {
      for (int i = 0; i < s.length; i++) {
        s[i] /= count.get(k);
      }
    });
    return sum;
  }

  /**
   * One swept parameter: value → its final rows, from {@code dir/<value>/final.csv}; values in numeric
   * order.
   */
  public static TreeMap<Double, List<Terms>> sweep(Path dir) {
    TreeMap<Double, List<Terms>> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> values = Files.list(dir)) {
      for (Path v : values.filter(p -> Files.isRegularFile(p.resolve("final.csv"))).toList()) {
        out.put(Double.valueOf(v.getFileName().toString()), read(v.resolve("final.csv")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The panels of a CLI triptych (natural | perturbation | adversarial, 4 px gaps): panel {@code p}
   * (0, 1, 2), or null when the file is missing.
   */
  public static BufferedImage panel(Path triptych, int p) {
    if (!Files.isRegularFile(triptych)) {
      return null;
    }
    try {
      BufferedImage t = ImageIO.read(triptych.toFile());
      int w = (t.getWidth() - 8) / 3;
      return t.getSubimage(p * (w + 4), 0, w, t.getHeight());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.shadowfleet.worker.engine.train;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.worker.engine.model.LayerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The small sequential architectures the bundled models use, as card layer lists (names follow
 * PyTorch's nn.Sequential numbering, so a Python script can load the weights into one).
 *
 * <ul>
 *   <li>{@code conv-small}: conv16(4,s2,p1)–conv32(4,s2,p1)–fc100–fc10, ≈1.2 MFLOP on 1×28×28;
 *   <li>{@code conv-wide}: conv32(4,s2,p1)–conv32(4,s2,p1)–fc100–fc10, ≈2.0 MFLOP;
 *   <li>{@code mlp}: flatten–fc256–fc256–fc10, ≈0.5 MFLOP.
 * </ul>
 */
public final class Architectures {
  public static final List<String> NAMES = List.of("conv-small", "conv-wide", "mlp");

  private Architectures() {}

  /** Layers of {@code name} for C×H×W input and {@code classes} outputs. */
  public static List<LayerSpec> layers(String name, int c, int h, int w, int classes) {
    return switch (name) {
      case "conv-small" -> twoConv(c, h, w, 16, 32, 100, classes);
      case "conv-wide" -> twoConv(c, h, w, 32, 32, 100, classes);
      case "mlp" -> mlp(c * h * w, 256, classes);
      default -> throw new ParameterException("arch", "`arch` must be one of " + NAMES + ", got " + name);
    };
  }

  private static List<LayerSpec> twoConv(int c, int h, int w, int c1, int c2, int hidden, int classes) {
    int h2 = h / 4;
    int w2 = w / 4;
    List<LayerSpec> l = new ArrayList<>();
    l.add(LayerSpec.conv2d(c, c1, 4, 2, 1, "0"));
    l.add(LayerSpec.relu());
    l.add(LayerSpec.conv2d(c1, c2, 4, 2, 1, "2"));
    l.add(LayerSpec.relu());
    l.add(LayerSpec.flatten());
    l.add(LayerSpec.linear(c2 * h2 * w2, hidden, "5"));
    l.add(LayerSpec.relu());
    l.add(LayerSpec.linear(hidden, classes, "7"));
    return l;
  }

  private static List<LayerSpec> mlp(int in, int hidden, int classes) {
    return List.of(
        LayerSpec.flatten(),
        LayerSpec.linear(in, hidden, "1"),
        LayerSpec.relu(),
        LayerSpec.linear(hidden, hidden, "3"),
        LayerSpec.relu(),
        LayerSpec.linear(hidden, classes, "5"));
  }

  /** Multiply–accumulate count of one forward pass (×2 for FLOPs). */
  public static long macs(List<LayerSpec> layers, int c, int h, int w) {
    long macs = 0;
    for (LayerSpec l : layers) {
      if (LayerSpec.CONV2D.equals(l.type())) {
        h = (h + 2 * l.padding() - l.kernel()) / l.stride() + 1;
        w = (w + 2 * l.padding() - l.kernel()) / l.stride() + 1;
        macs += (long) l.out() * h * w * l.in() * l.kernel() * l.kernel();
      } else if (LayerSpec.LINEAR.equals(l.type())) {
        macs += (long) l.in() * l.out();
      }
    }
    return macs;
  }
}

package dev.shadowfleet.worker.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * A strided convolution rewritten as a stride-1 convolution over the input's s×s phases (polyphase
 * decomposition), used on CPU when the input needs a gradient.
 *
 * <p>Why: libtorch 2.7's oneDNN 3.7 computes the input gradient of a <em>strided</em> convolution with
 * its {@code brgconv_strided:avx2} kernel in channels-last layout, which on the small channel counts of
 * these networks is 3–5× slower than the gemm path of older builds (docs/benchmarks.md, "Attack
 * throughput"); for stride 1 it keeps the fast {@code jit:avx2} kernel. The rewrite is exact algebra:
 * with the input zero-padded to s·(H_out + m − 1) rows and columns (m = ⌈k/s⌉, the kernel zero-padded to
 * s·m), {@code conv(x, W, stride s)[i,j] = Σ_{a,b} conv(x_ab, W_ab, stride 1)[i,j]}, where x_ab =
 * x[a::s, b::s] and W_ab = W[a::s, b::s]; stacking the s² phases on the channel axis makes it one
 * convolution with s²·C input channels and an m×m kernel. Only the order of the float additions
 * differs from the direct convolution (differences of a few ulps).
 *
 * <p>{@link #inputGradient} is the same decomposition run backwards, for layers with many channels
 * where the forward rewrite does not pay: the input gradient of a strided convolution (a transposed
 * convolution) is, phase by phase, a stride-1 "full" convolution of the output gradient with the
 * flipped kernel phase W_ab, so it is one stride-1 convolution with C·s² output channels and a
 * re-interleave of the phases.
 */
final class PhaseConv {
  /** Most phase channels (C·s²) for which the rewrite was measured faster (docs/benchmarks.md). */
  static final long MAX_PHASE_CHANNELS = 16;

  private PhaseConv() {}

  /**
   * Whether the rewrite pays for a convolution with these weights (O×C×k×k) and stride: only for
   * strides above 1 and few input channels. With more channels the stride-1 convolution over C·s²
   * channels costs more in the forward pass than libtorch's input gradient loses.
   */
  static boolean pays(NDArray weight, int stride) {
    return stride > 1 && weight.getShape().get(1) * stride * stride <= MAX_PHASE_CHANNELS;
  }

  /**
   * conv2d(x, weight, bias, stride, padding) for x N×C×H×W and weight O×C×k×k ({@code bias} may be
   * null), as a stride-1 convolution over the phases.
   */
  static NDArray conv(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
    long k = weight.getShape().get(2);
    long m = (k + stride - 1) / stride;
    NDArray phases = phases(x, k, stride, padding);
    return Layer.Conv2d.direct(phases, phaseKernel(weight, stride, m, x.getManager(), false), bias, 1,
        0);
  }

  /**
   * x (N×C×h×w) as a convolution with k×k kernel, this stride and padding reads it, in phase layout:
   * zero-padded to s·(H_out + m − 1) rows and columns (cut there if longer), channel c·s² + a·s + b
   * holding the rows a, a + s, … and columns b, b + s, … of channel c. N×(C·s²)×(H_out + m − 1)×(W_out
   * + m − 1), in x's manager; {@link #phaseGradient} lays out the input gradient the same way.
   */
  static NDArray phases(NDArray x, long k, int stride, int padding) {
    int s = stride;
    Shape in = x.getShape();
    long n = in.get(0);
    long c = in.get(1);
    long h = in.get(2);
    long w = in.get(3);
    long m = (k + s - 1) / s;
    long outH = (h + 2L * padding - k) / s + 1;
    long outW = (w + 2L * padding - k) / s + 1;
    long rows = s * (outH + m - 1);
    long cols = s * (outW + m - 1);
    // Zero padding on top/left as the layer says; bottom/right up to (or cut down to) s·(out + m − 1).
    NDArray padded = x.pad(new Shape(padding, cols - w - padding, padding, rows - h - padding), 0);
    return padded
        .reshape(n, c, rows / s, s, cols / s, s)
        .transpose(0, 1, 3, 5, 2, 4)
        .reshape(n, c * s * s, rows / s, cols / s);
  }

  /**
   * The gradient of conv2d(x, weight, stride, padding) with respect to x (N×C×h×w), given the
   * gradient {@code g} (N×O×H_out×W_out) of its output. Exact algebra as {@link #conv}: with m = ⌈k/s⌉
   * and the kernel zero-padded to s·m, the padded input's phase (a, b) gets Σ_o Σ_{μ,ν} W[o, c, sμ + a,
   * sν + b]·g[o, i − μ, j − ν], a stride-1 convolution of g padded by m − 1 with the phase kernels
   * flipped and their in/out axes swapped. Rows and columns of the padded input no window reaches get
   * zero, and the padding itself is cut off.
   */
  static NDArray inputGradient(NDArray g, NDArray weight, int stride, int padding, long h, long w) {
    NDArray kernel = transposedKernel(weight, stride, g.getManager());
    return fromPhases(phaseGradient(g, kernel), stride, padding, h, w);
  }

  /**
   * The flipped, transposed kernel phases (C·s²)×O×m×m that {@link #phaseGradient} convolves with,
   * built in {@code into}: it depends on the weights alone, so a caller may keep it.
   */
  static NDArray transposedKernel(NDArray weight, int stride, NDManager into) {
    long k = weight.getShape().get(2);
    return phaseKernel(weight, stride, (k + stride - 1) / stride, into, true);
  }

  /**
   * {@link #inputGradient} before its re-interleave: the gradient of the padded input in the layout
   * of {@link #phases}, N×(C·s²)×(H_out + m − 1)×(W_out + m − 1), from {@code kernel} = {@link
   * #transposedKernel}.
   */
  static NDArray phaseGradient(NDArray g, NDArray kernel) {
    long m = kernel.getShape().get(2);
    return Layer.Conv2d.direct(g, kernel, null, 1, (int) (m - 1));
  }

  /**
   * Phases (N×(C·s²)×rows×cols, as {@link #phaseGradient} gives them) back to the N×C×h×w input:
   * re-interleaved, the layer's padding cut off, zeros for rows and columns past the last window.
   */
  static NDArray fromPhases(NDArray phases, int stride, int padding, long h, long w) {
    int s = stride;
    Shape in = phases.getShape();
    long n = in.get(0);
    long c = in.get(1) / (s * s);
    long rows = in.get(2);
    long cols = in.get(3);
    NDArray padded = phases
        .reshape(n, c, s, s, rows, cols)
        .transpose(0, 1, 4, 2, 5, 3)
        .reshape(n, c, rows * s, cols * s);
    // Drop the layer's padding (a view); rows and columns past the last window get zeros. The index
    // is built, not parsed: a format string costs a regex match per call.
    long keepH = Math.min(h, rows * s - padding);
    long keepW = Math.min(w, cols * s - padding);
    NDArray grad = padded.get(new NDIndex().addAllDim(2).addSliceDim(padding, padding + keepH)
        .addSliceDim(padding, padding + keepW));
    return keepH == h && keepW == w ? grad : grad.pad(new Shape(0, w - keepW, 0, h - keepH), 0);
  }

  /**
   * The kernel O×C×k×k zero-padded to s·m taps and split into its s² phases: O×(C·s²)×m×m for {@link
   * #conv}, or (C·s²)×O×m×m with the taps flipped ({@code transposed}) for {@link #inputGradient}. Built
   * in {@code into} (the caller's scope: arrays computed from the weights would otherwise land in the
   * model's manager and live as long as the model).
   */
  private static NDArray phaseKernel(NDArray weight, int s, long m, NDManager into, boolean transposed) {
    Shape w = weight.getShape();
    long o = w.get(0);
    long c = w.get(1);
    long k = w.get(2);
    try (NDManager scope = into.newSubManager()) {
      weight.tempAttach(scope);
      NDArray kernel = m * s == k ? weight : weight.pad(new Shape(0, m * s - k, 0, m * s - k), 0);
      kernel = kernel.reshape(o, c, m, s, m, s);
      kernel = transposed
          ? kernel.transpose(1, 3, 5, 0, 2, 4).flip(4, 5).reshape(c * s * s, o, m, m)
          : kernel.transpose(0, 1, 3, 5, 2, 4).reshape(o, c * s * s, m, m);
      kernel.attach(into);
      return kernel;
    }
  }
}

package dev.shadowfleet.worker.engine.autograd;

import ai.djl.ndarray.NDArray;

/**
 * Arithmetic with a constant that stays correct under autograd. Use these instead of DJL's {@code
 * mul(Number)}, {@code div(Number)}, {@code maximum(Number)}, {@code minimum(Number)} in any
 * computation whose gradient is taken.
 *
 * <p>Why: DJL 0.36's PyTorch engine implements {@code a.mul(3f)} as {@code try (NDArray s =
 * manager.create(3f)) { return a.mul(s); }}. On CPU, {@code create} wraps a Java direct buffer
 * without copying ({@code torch::from_blob}), and only the closed {@code s} kept that buffer
 * reachable. The autograd graph of {@code a.mul(s)} saves {@code s} for the backward pass; once the
 * garbage collector frees the buffer, the backward pass reads freed memory and the gradient becomes
 * garbage (NaN, ±1e36…). How often depends on the heap: rare with a large heap, a few jobs in ten
 * thousand in a worker with a 768 MB serial-GC heap (docs/reliability.md, the soak's NaN verdicts).
 * {@code add}/{@code sub} save nothing and {@code clip} takes its bounds by value, so they are safe.
 *
 * <p>Here the constant is a 0-d tensor copied into memory the engine owns (its reference count keeps
 * it alive as long as the graph needs it), in the dtype and on the manager of the array it meets.
 */
public final class Scalars {
  private Scalars() {}

  /** The constant {@code v} as a 0-d tensor in {@code like}'s manager and dtype, memory owned by the engine. */
  public static NDArray of(NDArray like, double v) {
    NDArray wrapped = like.getManager().create(v); // a Java buffer's memory, see above
    NDArray typed = wrapped.toType(like.getDataType(), false); // may be `wrapped` itself
    NDArray owned = typed.duplicate(); // a clone: memory allocated by the engine
    typed.close();
    wrapped.close();
    return owned;
  }

  /** {@code a · v}. */
  public static NDArray mul(NDArray a, double v) {
    return a.mul(of(a, v));
  }

  /** {@code a / v}. */
  public static NDArray div(NDArray a, double v) {
    return a.div(of(a, v));
  }

  /** Element-wise {@code max(a, v)} (at a tie the gradient is split, as DJL's {@code maximum}). */
  public static NDArray maximum(NDArray a, double v) {
    return a.maximum(of(a, v));
  }

  /** Element-wise {@code min(a, v)}. */
  public static NDArray minimum(NDArray a, double v) {
    return a.minimum(of(a, v));
  }
}

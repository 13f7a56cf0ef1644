package dev.shadowfleet.worker.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * First contact with the PyTorch engine, before any model or job: the native library loads and
 * computes [1, 2, 3] + 1 on the engine's default device. A libtorch that does not match DJL's JNI
 * bridge fails here with one line that says what to fix, instead of a stack trace, or an error
 * blamed on the first model file read. The two ways seen: an older libtorch lacks symbols the bridge
 * needs (the library does not load); a newer one loads but refuses the bridge's first tensor
 * ("set_stride is not allowed on a Tensor created from .data or .detach()", PyTorch 2.11).
 */
public final class EngineCheck {
  /** The PyTorch version DJL 0.36's JNI bridge (pytorch-jni 2.7.1-0.36.0) is built against. */
  public static final String BRIDGE_PYTORCH_VERSION = "2.7.1";

  private EngineCheck() {}

  /** Null when the engine works; otherwise the reason, in one line, with what to do about it. */
  public static String problem() {
    try {
      try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
        float[] got = m.create(new float[] {1f, 2f, 3f}).add(1f).toFloatArray();
        if (!Arrays.equals(got, new float[] {2f, 3f, 4f})) {
          return "the PyTorch engine computed " + Arrays.toString(got) + " for [1, 2, 3] + 1. " + advice();
        }
      }
      return null;
    } catch (RuntimeException | LinkageError e) {
      return "the PyTorch engine does not work: " + rootMessage(e) + ". " + advice();
    }
  }

  /**
   * Prints the problem, if any, as {@code shadowfleet <command>: ...} on {@code err}.
   *
   * @return whether the engine works
   */
  public static boolean ready(String command, PrintStream err) {
    String problem = problem();
    if (problem != null) {
      err.println("shadowfleet " + command + ": " + problem);
    }
    return problem == null;
  }

  private static String advice() {
    String path = System.getenv("PYTORCH_LIBRARY_PATH");
    return "DJL's JNI bridge is built for PyTorch " + BRIDGE_PYTORCH_VERSION + " (flavors cpu and cu128): "
        + (path == null || path.isBlank()
            ? "the bundled CPU natives (pytorch-native-cpu " + BRIDGE_PYTORCH_VERSION + ") should be on the class path"
            : "PYTORCH_LIBRARY_PATH=" + path + " must hold libtorch " + BRIDGE_PYTORCH_VERSION
                + " (or be unset to use the bundled CPU natives)");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().findFirst().orElse("").strip();
  }
}

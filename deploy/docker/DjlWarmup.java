import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Image build step: loads DJL's PyTorch engine once so that the native libraries are unpacked into
 * DJL_CACHE_DIR inside the image (the worker then starts without writing or downloading anything), and
 * fails the build when the natives do not load. Run with the JDK's source launcher:
 * {@code java -Dai.djl.offline=true -cp 'lib/*' DjlWarmup.java}.
 */
public final class DjlWarmup {
  public static void main(String[] args) {
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray sum = manager.create(new float[] {1f, 2f, 3f}).sum();
      if (sum.getFloat() != 6f) {
        throw new IllegalStateException("PyTorch computed " + sum.getFloat() + " for 1+2+3");
      }
    }
    System.out.println("DJL " + engine.getEngineName() + " " + engine.getVersion() + " ready, GPUs: "
        + engine.getGpuCount());
  }
}

package dev.shadowfleet.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DjlSmokeTest {
  @Test
  void pytorchEngineComputesGradients() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.create(new float[] {1f, 2f, 3f});
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = x.mul(x).sum();
        gc.backward(y);
      }
      float[] g = x.getGradient().toFloatArray();
      assertEquals(2f, g[0], 1e-6);
      assertEquals(6f, g[2], 1e-6);
      System.out.println("engine=" + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
    }
  }
}

package dev.shadowfleet.worker.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-set metrics written into a card: clean accuracy; for smoothed base classifiers the accuracy
 * under one draw of N(0, σ²I) noise per image; for IBP networks the clean error and the IBP-verified
 * robust error at ε (an image counts as verified when every margin lower bound is &gt; 0).
 */
public final class Evaluation {
  private Evaluation() {}

  public static Map<String, Object> evaluate(
      SequentialNetwork net, Dataset test, int limit, Double sigma, Double epsilon, long seed, NDManager manager) {
    int n = limit > 0 ? Math.min(limit, test.size()) : test.size();
    Tensors data = Tensors.load(test, n);
    Engine.getInstance().setRandomSeed((int) (seed ^ 0x5eed));
    long clean = 0;
    long noisy = 0;
    long verified = 0;
    int batchSize = 500;
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      try (NDManager batch = manager.newSubManager()) {
        NDArray x = data.images(batch, null, from, to);
        NDArray y = batch.create(data.labels(null, from, to));
        NDArray correct = net.logits(x).argMax(1).toType(y.getDataType(), false).eq(y);
        clean += correct.sum().getLong();
        if (sigma != null) {
          NDArray xn = x.add(batch.randomNormal(0f, sigma.floatValue(), x.getShape(), x.getDataType()));
          noisy += net.logits(xn).argMax(1).toType(y.getDataType(), false).eq(y).sum().getLong();
        }
        if (epsilon != null) {
          NDArray lower = IbpMargins.lowerBounds(net, x, epsilon, data.oneHot(batch, null, from, to));
          // the j = y entry is exactly 0: count rows whose other entries are all > 0
          NDArray positives = lower.gt(0f).toType(y.getDataType(), false).sum(new int[] {1});
          verified += positives.eq(data.classes - 1).logicalAnd(correct).sum().getLong();
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("testSet", test.uri());
    m.put("testImages", n);
    m.put("cleanAccuracy", round((double) clean / n));
    if (sigma != null) {
      m.put("noiseSigma", sigma);
      m.put("accuracyUnderNoise", round((double) noisy / n));
    }
    if (epsilon != null) {
      m.put("epsilon", epsilon);
      m.put("cleanError", round(1 - (double) clean / n));
      m.put("ibpVerifiedAccuracy", round((double) verified / n));
      m.put("ibpVerifiedRobustError", round(1 - (double) verified / n));
    }
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}

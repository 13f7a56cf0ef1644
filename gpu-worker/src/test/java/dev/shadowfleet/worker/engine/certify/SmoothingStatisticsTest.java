package dev.shadowfleet.worker.engine.certify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.worker.engine.model.Classifier;
import dev.shadowfleet.worker.engine.model.ModelCard;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CERTIFY / PREDICT statistics against scipy (fixtures/clopper_pearson.json, made by
 * tools/reference/clopper_pearson_fixture.py), ABSTAIN exactly at the boundary, and the sampling
 * loop (batching, reproducibility, independence between inputs).
 */
class SmoothingStatisticsTest {
  private static final JsonNode FIXTURE = read();

  @Test
  void lowerBoundAndRadiusEqualScipy() {
    int checked = 0;
    for (JsonNode c : FIXTURE.get("lowerBounds")) {
      int k = c.get("k").asInt();
      int n = c.get("n").asInt();
      double alpha = c.get("alpha").asDouble();
      double expected = c.get("pALower").asDouble();
      double pA = RandomizedSmoothingCertifier.lowerConfidenceBound(k, n, alpha);
      assertEquals(expected, pA, 1e-12 + 1e-10 * expected, "pA for k=" + k + " n=" + n);
      if (!c.get("radius").isNull()) {
        double r = RandomizedSmoothingCertifier.radius(c.get("sigma").asDouble(), pA);
        assertEquals(c.get("radius").asDouble(), r, 1e-9, "radius for k=" + k + " n=" + n);
      } else {
        assertTrue(pA <= 0.5);
      }
      checked++;
    }
    assertEquals(80, checked);
  }

  @Test
  void certifyAbstainsExactlyBelowTheFirstCertifiableCount() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 1, 2, 2));
      for (JsonNode b : FIXTURE.get("boundaries")) {
        int n = b.get("n").asInt();
        double alpha = b.get("alpha").asDouble();
        int kStar = b.get("firstCertifiedK").asInt();
        SmoothingParams params = new SmoothingParams(10, n, alpha, 4_096, CertifyMode.CERTIFY_ALL);
        SmoothingCertificate at = certifyWithCount(x, params, kStar);
        assertEquals(0, at.label(), "k = " + kStar + " of " + n + " must certify");
        assertEquals(b.get("pAtK").asDouble(), at.pALower(), 1e-12);
        assertEquals(kStar, at.countTop());
        assertTrue(at.radius() > 0);
        SmoothingCertificate below = certifyWithCount(x, params, kStar - 1);
        assertTrue(below.abstained(), "k = " + (kStar - 1) + " of " + n + " must abstain");
        assertEquals(b.get("pBelow").asDouble(), below.pALower(), 1e-12);
        assertEquals(0.0, below.radius());
        assertEquals(0, below.selected());
      }
    }
  }

  @Test
  void predictUsesTheTwoSidedBinomialTestOfScipy() {
    for (JsonNode c : FIXTURE.get("binomial")) {
      int nA = c.get("nA").asInt();
      int nB = c.get("nB").asInt();
      double expected = c.get("pValue").asDouble();
      double p = RandomizedSmoothingCertifier.binomialPValue(nA, nB);
      assertEquals(expected, p, 1e-12 + 1e-9 * expected, "p-value nA=" + nA + " nB=" + nB);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 1, 2, 2));
      // 60 vs 40 of 100: p = 0.0569 -> abstain at α = 0.05, predict at α = 0.1.
      List<Integer> plan = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        plan.add(i < 60 ? 2 : 1);
      }
      SmoothingPrediction strict = predictWith(x, plan, 0.05);
      assertTrue(strict.abstained());
      assertEquals(2, strict.top());
      assertEquals(40, strict.countSecond());
      SmoothingPrediction loose = predictWith(x, plan, 0.1);
      assertEquals(2, loose.label());
    }
  }

  @Test
  void batchesStayBoundedAndEveryInputGetsItsOwnNoise() {
    try (NDManager m = NDManager.newBaseManager()) {
      SequentialNetwork net = new ReferenceNetwork().network(m, DataType.FLOAT32);
      NDArray one = new ReferenceNetwork().x(m, DataType.FLOAT32).get(0).expandDims(0);
      NDArray twice = one.concat(one, 0);
      Recording rec = new Recording(net);
      RandomizedSmoothingCertifier certifier = new RandomizedSmoothingCertifier(rec, 0.5);
      int[][] counts = certifier.sampleCounts(twice, 1_000, 300);
      assertEquals(1_000, java.util.Arrays.stream(counts[0]).sum());
      assertEquals(1_000, java.util.Arrays.stream(counts[1]).sum());
      assertEquals(300, rec.largestBatch, "2 inputs × 150 samples per forward");
      assertFalse(java.util.Arrays.equals(counts[0], counts[1]), "the same image twice must see different noise");
      SmoothingParams params = new SmoothingParams(50, 2_000, 0.001, 512, CertifyMode.CERTIFY_ALL);
      List<SmoothingCertificate> a = certifier.certify(twice, params, 42);
      List<SmoothingCertificate> b = certifier.certify(twice, params, 42);
      List<SmoothingCertificate> c = certifier.certify(twice, params, 43);
      assertEquals(a, b, "same seed, same certificates");
      assertNotEquals(a.get(0).countTop(), c.get(0).countTop(), "another seed draws other noise");
      assertArrayEquals(new int[] {2_000, 2_000}, new int[] {a.get(0).n(), a.get(1).n()});
    }
  }

  private static SmoothingCertificate certifyWithCount(NDArray x, SmoothingParams params, int k) {
    List<Integer> plan = new ArrayList<>();
    for (int i = 0; i < params.n0(); i++) {
      plan.add(0);
    }
    for (int i = 0; i < params.n(); i++) {
      plan.add(i < k ? 0 : 1);
    }
    return new RandomizedSmoothingCertifier(new Scripted(plan), 0.25).certify(x, params, 1).get(0);
  }

  private static SmoothingPrediction predictWith(NDArray x, List<Integer> plan, double alpha) {
    SmoothingParams params = new SmoothingParams(1, plan.size(), alpha, 64, CertifyMode.CERTIFY_ALL);
    return new RandomizedSmoothingCertifier(new Scripted(plan), 0.25).predict(x, params, 1).get(0);
  }

  /** A classifier that answers a planned class sequence, one per sample, whatever the input. */
  private static final class Scripted implements Classifier {
    private final List<Integer> plan;
    private int next;

    Scripted(List<Integer> plan) {
      this.plan = plan;
    }

    @Override
    public ModelCard card() {
      return ReferenceNetwork.card("scripted", new long[] {1, 2, 2}, 3);
    }

    @Override
    public NDArray logits(NDArray pixels) {
      int n = Math.toIntExact(pixels.getShape().get(0));
      float[] z = new float[n * 3];
      for (int i = 0; i < n; i++) {
        z[i * 3 + plan.get(next++)] = 1f;
      }
      return pixels.getManager().create(z, new Shape(n, 3));
    }
  }

  /** Records the largest forward batch of the wrapped classifier. */
  private static final class Recording implements Classifier {
    private final Classifier inner;
    long largestBatch;

    Recording(Classifier inner) {
      this.inner = inner;
    }

    @Override
    public ModelCard card() {
      return inner.card();
    }

    @Override
    public NDArray logits(NDArray pixels) {
      largestBatch = Math.max(largestBatch, pixels.getShape().get(0));
      return inner.logits(pixels);
    }
  }

  private static JsonNode read() {
    try (InputStream in = SmoothingStatisticsTest.class.getResourceAsStream("/fixtures/clopper_pearson.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

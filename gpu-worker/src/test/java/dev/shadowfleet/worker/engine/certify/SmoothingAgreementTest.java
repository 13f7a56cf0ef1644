package dev.shadowfleet.worker.engine.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.SmoothingParams;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CERTIFY agrees with a Python implementation of Cohen's algorithm on the same TorchScript model
 * (tools/reference/cohen_certify.py: a small CNN trained briefly with σ = 0.25 noise on
 * Fashion-MNIST, exported by torch 1.13).
 *
 * <p>The two runs draw different noise, so they agree up to sampling error. The count {@code k} of
 * a class among n samples is Binomial(n, p) in each run, independently; their difference has
 * standard deviation {@code sqrt(2·n·p(1−p))}. The test accepts {@code |k_java − k_python| ≤
 * 5·sqrt(2·n·p̂(1−p̂)) + 2} for the class ShadowFleet selected (p̂ pooled from both runs; the +2
 * covers p̂ ≈ 0 or 1): a false alarm has probability below 10⁻⁶ per image. The radius is a monotone
 * function of the count, so ShadowFleet's radius must lie in the radii of Python's count ± that
 * tolerance. Labels must be equal, unless that count band straddles the ABSTAIN boundary (then
 * either answer is within sampling error).
 */
class SmoothingAgreementTest {

  /**
   * One intra-op thread, as the reference ran: on a small shared CPU two OpenMP threads per forward
   * pass wait on each other and ran ~10× slower here (docs/benchmarks.md).
   */
  @BeforeAll
  static void oneThread() {
    Engine.getInstance(); // loads the native library
    JniUtils.setNumThreads(1);
  }

  @Test
  void fiveImagesAgreeWithThePythonReference() {
    agree("/fixtures/rs_cohen_5.json");
  }

  @Test
  @Tag("heavy")
  void fiftyImagesAgreeWithThePythonReference() {
    agree("/fixtures/rs_cohen_50.json");
  }

  private static void agree(String fixture) {
    JsonNode ref = read(fixture);
    double sigma = ref.get("sigma").asDouble();
    int n = ref.get("n").asInt();
    double alpha = ref.get("alpha").asDouble();
    SmoothingParams params =
        new SmoothingParams(ref.get("n0").asInt(), n, alpha, 1_000, CertifyMode.CERTIFY_ALL);
    JsonNode results = ref.get("results");
    int m = results.size();
    float[] pixels = new float[m * 28 * 28];
    for (int i = 0; i < m; i++) {
      JsonNode px = results.get(i).get("pixels");
      for (int p = 0; p < 784; p++) {
        pixels[i * 784 + p] = px.get(p).asInt() / 255f;
      }
    }
    try (NDManager manager = NDManager.newBaseManager();
        TorchScriptTestClassifier model =
            new TorchScriptTestClassifier("/fixtures/rs_tiny_cnn.pt", sigma, 1, 28, 10)) {
      NDArray x = manager.create(pixels, new Shape(m, 1, 28, 28));
      long start = System.nanoTime();
      List<SmoothingCertificate> certs = new RandomizedSmoothingCertifier(model, sigma).certify(x, params, 2024);
      double seconds = (System.nanoTime() - start) / 1e9;
      double maxRadiusDiff = 0;
      int sameLabel = 0;
      for (int i = 0; i < m; i++) {
        JsonNode r = results.get(i);
        SmoothingCertificate c = certs.get(i);
        int kPy = r.get("estimationCounts").get(c.selected()).asInt();
        int kJava = c.countTop();
        double pHat = (kPy + kJava) / (2.0 * n);
        double tol = 5 * Math.sqrt(2 * n * pHat * (1 - pHat)) + 2;
        String what = "image " + i + ": java " + c + " python " + r.get("label") + "/" + r.get("radius") + " k=" + kPy;
        assertTrue(Math.abs(kJava - kPy) <= tol, what + " counts differ by more than " + tol);
        int kLo = (int) Math.max(0, Math.floor(kPy - tol));
        int kHi = (int) Math.min(n, Math.ceil(kPy + tol));
        double pLo = RandomizedSmoothingCertifier.lowerConfidenceBound(kLo, n, alpha);
        double pHi = RandomizedSmoothingCertifier.lowerConfidenceBound(kHi, n, alpha);
        boolean straddles = pLo <= 0.5 && pHi > 0.5;
        if (r.get("label").asInt() == c.label()) {
          sameLabel++;
        } else {
          assertTrue(straddles, what + ": labels differ away from the ABSTAIN boundary");
        }
        if (!c.abstained()) {
          double rLo = pLo > 0.5 ? RandomizedSmoothingCertifier.radius(sigma, pLo) : 0;
          double rHi = RandomizedSmoothingCertifier.radius(sigma, pHi);
          assertTrue(c.radius() >= rLo - 1e-12 && c.radius() <= rHi + 1e-12,
              what + ": radius outside [" + rLo + ", " + rHi + "]");
          if (r.get("label").asInt() == c.label()) {
            maxRadiusDiff = Math.max(maxRadiusDiff, Math.abs(c.radius() - r.get("radius").asDouble()));
          }
        }
      }
      System.out.printf(
          "%s: %d/%d labels equal, largest radius difference %.4f; ShadowFleet %.1f s (%,.0f samples/s)%n",
          fixture, sameLabel, m, maxRadiusDiff, seconds, m * (double) (params.n0() + n) / seconds);
      assertTrue(sameLabel >= m - 1, "at most one label may differ, and only at the ABSTAIN boundary");
    }
  }

  private static JsonNode read(String resource) {
    try (InputStream in = SmoothingAgreementTest.class.getResourceAsStream(resource)) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

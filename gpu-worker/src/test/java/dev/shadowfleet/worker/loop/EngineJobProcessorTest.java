package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.CertifyMode;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.worker.engine.attack.AttackRunner;
import dev.shadowfleet.worker.engine.attack.Certifiers;
import dev.shadowfleet.worker.engine.attack.ImageOutcome;
import dev.shadowfleet.worker.engine.attack.ShadowAttack;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelCache;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine adapter on the bundled fixture models and real Fashion-MNIST: its results are those of
 * {@link AttackRunner} called directly, and what cannot give an answer is refused before compute.
 */
class EngineJobProcessorTest {
  private static final String DATA = "fashion-mnist:test";
  private static final Map<String, Object> SMALL = Map.of("steps", 3, "noiseBatch", 4);
  private static final SmoothingParams CHEAP = new SmoothingParams(10, 200, 0.01, 100, CertifyMode.SELECT_THEN_CERTIFY);
  private static ModelCache models;
  private static DatasetCache datasets;
  private static EngineJobProcessor processor;

  @BeforeAll
  static void engine() throws Exception {
    Path dir = Path.of(EngineJobProcessorTest.class.getResource("/fixtures/models/tiny-ts.json").toURI()).getParent();
    models = new ModelCache(2, new ModelRegistry(dir));
    datasets = new DatasetCache();
    processor = new EngineJobProcessor(models, datasets, "w", "cpu");
  }

  @AfterAll
  static void close() {
    models.close();
  }

  static List<AttackJob> jobs(String model, String sha, int image, List<Integer> targets, String preset,
      Map<String, Object> overrides, SmoothingParams smoothing, IbpParams ibp) {
    List<AttackJob> out = new ArrayList<>();
    for (int t : targets) {
      out.add(new AttackJob(MessageCodec.SCHEMA_VERSION, AttackJob.idOf("s", model, image, t), "s", model, sha,
          DATA, image, t, targets, preset, overrides, smoothing, ibp, 77L, 1, 0));
    }
    return out;
  }

  @Test
  void intervalModelResultsAreTheRunnersAndTheLabelTargetIsSkipped() throws Exception {
    LoadedModel model = models.get("tiny-seq");
    Dataset data = datasets.get(DATA);
    int label = data.label(3);
    List<Integer> targets = new ArrayList<>(List.of(0, 1, 2, 4, 5));
    if (!targets.contains(label)) {
      targets.set(0, label);
    }
    List<AttackJob> batch = jobs("tiny-seq", model.card().sha256(), 3, targets, "paper-ibp", Map.of("steps", 3),
        null, IbpParams.DEFAULT);
    List<JobResult> results = processor.process(batch, () -> false);

    int[] attacked = targets.stream().filter(t -> t != label).mapToInt(Integer::intValue).toArray();
    ImageOutcome expected;
    try (NDManager scope = model.manager().newSubManager()) {
      var params = AttackPreset.PAPER_IBP.resolve(Map.of("steps", 3)).withSeed(77L);
      expected = new AttackRunner(new ShadowAttack(params, model.classifier()),
          Certifiers.forModel(model, SmoothingParams.PAPER, IbpParams.DEFAULT), SmoothingParams.PAPER.mode(), true)
          .run(data.image(scope, 3), label, attacked, 77L);
    }
    assertEquals(batch.size(), results.size());
    int k = 0;
    for (int i = 0; i < batch.size(); i++) {
      JobResult r = results.get(i);
      assertEquals(batch.get(i).jobId(), r.jobId());
      if (batch.get(i).target() == label) {
        assertEquals(JobStatus.SKIPPED_LABEL, r.status());
        assertEquals(label, r.label());
        assertNull(r.failureReason());
        assertEquals(r, MessageCodec.decodeResult(MessageCodec.encode(r)));
        continue;
      }
      var t = expected.targets().get(k++);
      assertEquals(JobStatus.DONE, r.status());
      assertEquals(label, r.label());
      assertEquals(expected.natural().issued(), r.natural().certified());
      assertEquals(t.decisive().issued(), r.attack().certified());
      assertEquals(t.full() == null ? "ibp-screening" : "ibp", r.attack().method());
      assertEquals(t.success(label), r.success());
      assertEquals(t.attack().loss().spoof(), r.spoofLoss(), 1e-9);
      assertEquals(t.attack().loss().tv(), r.tv(), 1e-9);
      assertEquals(t.attack().l2(), r.deltaL2(), 1e-9);
      assertEquals(3, r.steps());
      assertEquals(model.card().sha256(), r.provenance().modelSha256());
      // the message survives the codec
      assertEquals(r, MessageCodec.decodeResult(MessageCodec.encode(r)));
    }
    // the PNGs ride on the batch's best result only, and show the real image and its x'
    List<JobResult> withImages = results.stream().filter(r -> r.images() != null).toList();
    assertEquals(1, withImages.size());
    JobResult best = dev.shadowfleet.common.outcome.BestOutcome.of(results).orElseThrow();
    assertEquals(best.jobId(), withImages.get(0).jobId());
    float[] pixels;
    try (NDManager scope = model.manager().newSubManager()) {
      pixels = data.image(scope, 3).toFloatArray();
    }
    assertPng(best.images().natural(), pixels);
    int bestIndex = java.util.Arrays.stream(attacked).boxed().toList().indexOf(best.target());
    assertPng(best.images().adversarial(), expected.targets().get(bestIndex).attack().adversarial());
  }

  private static void assertPng(String base64, float[] pixels) throws Exception {
    var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(base64)));
    assertEquals(28, img.getWidth());
    for (int i = 0; i < pixels.length; i++) {
      assertEquals(Math.round(Math.max(0, Math.min(1, pixels[i])) * 255), img.getRaster().getSample(i % 28, i / 28, 0),
          "pixel " + i);
    }
  }

  @Test
  void smoothedModelRunsOrSkipsAsTheNaturalCertificateSays() {
    List<AttackJob> batch = jobs("tiny-ts", null, 0, List.of(1, 2), "quick", SMALL, CHEAP, null);
    List<JobResult> results = processor.process(batch, () -> false);
    assertEquals(2, results.size());
    for (JobResult r : results) {
      assertTrue(r.status() == JobStatus.DONE || r.status() == JobStatus.SKIPPED_ABSTAIN, r.toString());
      assertEquals(r.status() == JobStatus.SKIPPED_ABSTAIN, r.natural().abstained());
      if (r.status() == JobStatus.DONE) {
        assertTrue(r.attack().method().startsWith("rs"));
      } else {
        assertNull(r.attack());
      }
      assertEquals(r, MessageCodec.decodeResult(MessageCodec.encode(r)));
    }
  }

  @Test
  void whatCannotGiveAnAnswerIsRefusedNamingTheField() {
    assertEquals("modelId", assertThrows(PermanentJobException.class, () -> processor.process(
        jobs("no-such-model", null, 0, List.of(1), "quick", SMALL, CHEAP, null), () -> false)).field());
    assertEquals("modelSha256", assertThrows(PermanentJobException.class, () -> processor.process(
        jobs("tiny-ts", "ab".repeat(32), 0, List.of(1), "quick", SMALL, CHEAP, null), () -> false)).field());
    assertEquals("imageIndex", assertThrows(PermanentJobException.class, () -> processor.process(
        jobs("tiny-ts", null, 10_000, List.of(1), "quick", SMALL, CHEAP, null), () -> false)).field());
    var bad = assertThrows(dev.shadowfleet.common.config.ParameterException.class, () -> processor.process(
        jobs("tiny-ts", null, 0, List.of(1), "quick", Map.of("lambdaTv", -1.0), CHEAP, null), () -> false));
    assertEquals("lambdaTv", bad.field());
    assertEquals(ErrorTier.PERMANENT, ErrorTier.of(bad));
  }
}

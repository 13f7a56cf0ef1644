package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.shadowfleet.common.config.AttackParams;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.config.SmoothingParams;
import dev.shadowfleet.common.message.AttackJob;
import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.worker.engine.attack.AttackRunner;
import dev.shadowfleet.worker.engine.attack.Certifiers;
import dev.shadowfleet.worker.engine.attack.ImageOutcome;
import dev.shadowfleet.worker.engine.attack.ShadowAttack;
import dev.shadowfleet.worker.engine.data.Dataset;
import dev.shadowfleet.worker.engine.data.DatasetCache;
import dev.shadowfleet.worker.engine.model.LoadedModel;
import dev.shadowfleet.worker.engine.model.ModelCache;
import dev.shadowfleet.worker.engine.model.ModelRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worker attacks a bundled TorchScript model through the layer list of its card: on the IBP
 * model, the robust spoofing loss (which needs a sequential network for its bounds, and is refused
 * on the module itself) runs, and the result is exactly the attack on {@link LoadedModel#network()}.
 */
class TorchScriptAttackPathTest {
  private static final String MODEL = "fmnist-ibp-0.1-conv-small";

  @Test
  void torchScriptIbpModelIsAttackedThroughItsLayers() {
    DatasetCache datasets = new DatasetCache();
    try (ModelCache models = new ModelCache(1, new ModelRegistry(ModelRegistry.defaultRoot().resolve("torchscript")))) {
      EngineJobProcessor processor = new EngineJobProcessor(models, datasets, "w", "cpu", 0);
      LoadedModel model = models.get(MODEL);
      Dataset data = datasets.get("fashion-mnist:test");
      int label = data.label(0);
      int target = (label + 1) % 10;
      Map<String, Object> overrides = Map.of("steps", 3);
      List<AttackJob> batch = EngineJobProcessorTest.jobs(MODEL, model.card().sha256(), 0, List.of(target),
          "paper-ibp", overrides, null, IbpParams.DEFAULT);
      JobResult r = processor.process(batch, () -> false).get(0);
      assertEquals(JobStatus.DONE, r.status(), r.toString());

      AttackParams params = AttackPreset.PAPER_IBP.resolve(overrides).withSeed(batch.get(0).seed());
      assertThrows(ParameterException.class, () -> new ShadowAttack(params, model.classifier()),
          "the module alone cannot give the robust loss its bounds");
      ImageOutcome expected;
      try (NDManager scope = model.manager().newSubManager()) {
        expected = new AttackRunner(new ShadowAttack(params, model.network().orElseThrow()),
            Certifiers.forModel(model, SmoothingParams.PAPER, IbpParams.DEFAULT), SmoothingParams.PAPER.mode(), true)
            .run(data.image(scope, 0), label, new int[] {target}, batch.get(0).seed());
      }
      var loss = expected.targets().get(0).attack().loss();
      assertEquals(loss.spoof(), r.spoofLoss(), 0);
      assertEquals(loss.tv(), r.tv(), 0);
    }
  }
}

package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary arithmetic, the progress line and the demo request, on hand-made API answers. */
class SweepReportTest {
  private static JsonNode json(String s) throws Exception {
    return CoordinatorClient.JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void summaryCountsAndAveragesPerModel() throws Exception {
    List<JsonNode> outcomes = List.of(
        // rs: right + certified r=0.5, spoofed with r=0.3
        json("{'modelId':'rs','label':1,'naturalLabel':1,'naturalCertified':true,'naturalRadius':0.5,'success':true,'attackRadius':0.3}"),
        // rs: right + certified r=0.7, attack failed
        json("{'modelId':'rs','label':2,'naturalLabel':2,'naturalCertified':true,'naturalRadius':0.7,'success':false,'attackRadius':null}"),
        // rs: wrong natural label (certified, but not counted as certified-correct), spoofed r=0.9
        json("{'modelId':'rs','label':3,'naturalLabel':4,'naturalCertified':true,'naturalRadius':2.0,'success':true,'attackRadius':0.9}"),
        // ibp: right, abstains
        json("{'modelId':'ibp','label':0,'naturalLabel':0,'naturalCertified':false,'naturalRadius':null,'success':false}"));
    var s = SweepReport.summarize(outcomes);
    assertEquals(2, s.size());
    var rs = s.get(0);
    assertEquals("rs", rs.model());
    assertEquals(3, rs.images());
    assertEquals(2, rs.naturalCorrect());
    assertEquals(2, rs.naturalCertified());
    assertEquals(0.6, rs.meanNaturalRadius(), 1e-12);
    assertEquals(2, rs.spoofed());
    assertEquals(0.6, rs.meanSpoofedRadius(), 1e-12);
    var ibp = s.get(1);
    assertEquals(1, ibp.naturalCorrect());
    assertEquals(0, ibp.naturalCertified());
    assertTrue(Double.isNaN(ibp.meanNaturalRadius()));
    String table = SweepReport.tables(s, Map.of("rs", "smoothed σ=0.25"));
    assertTrue(table.contains("smoothed σ=0.25"), table);
    assertTrue(table.contains(" 66.7%"), table); // rs: 2 of 3 correct / certified / spoofed
  }

  @Test
  void progressLineAndEnd() throws Exception {
    JsonNode running = json("{'jobs':900,'progress':{'finished':450,'done':447,'failed':3},'eta':{'seconds':130}}");
    String line = SweepReport.progressLine(running, 10);
    assertEquals("[#####.....]  50.0%  450/900 jobs  done 447  failed 3  ETA 2m10s", line);
    assertFalse(SweepReport.finished(running));
    assertTrue(SweepReport.finished(json("{'jobs':900,'progress':{'finished':900}}")));
    assertTrue(SweepReport.finished(json("{'jobs':900,'progress':{'finished':10},'cancelledAt':'2026-01-01T00:00:00Z'}")));
  }

  @Test
  void demoRequestNamesEveryFieldTheCoordinatorReads() throws Exception {
    JsonNode r = new DemoSweep(50, List.of("rs", "ibp"), "quick", 100, 1000).request();
    assertEquals("fashion-mnist:test", r.get("dataset").asText());
    assertEquals(0, r.get("images").get("from").asInt());
    assertEquals(50, r.get("images").get("to").asInt());
    assertEquals("all", r.get("targets").asText());
    assertEquals(1000, r.get("smoothing").get("n").asInt());
    assertEquals(2, r.get("models").size());
    assertThrows(IllegalArgumentException.class, () -> new DemoSweep(0, List.of("rs"), "quick", 100, 1000));
  }

  @Test
  void demoPicksTheGreySmoothedModelAndTheFirstGreyIbpModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    card(dir, "a-rgb-rs-0.25", 3, "{'type':'smoothed','sigma':0.25}");
    card(dir, "b-rs-0.50", 1, "{'type':'smoothed','sigma':0.5}");
    card(dir, "c-rs-0.25", 1, "{'type':'smoothed','sigma':0.25}");
    card(dir, "d-ibp-0.1", 1, "{'type':'ibp','epsilon':0.1}");
    card(dir, "e-ibp-0.2", 1, "{'type':'ibp','epsilon':0.2}");
    assertEquals(List.of("c-rs-0.25", "d-ibp-0.1"), DemoSweep.defaultModels(dir));
    assertThrows(IllegalStateException.class, () -> DemoSweep.defaultModels(dir.resolve("none")));
  }

  private static void card(java.nio.file.Path dir, String id, int channels, String kind) throws Exception {
    java.nio.file.Files.writeString(dir.resolve(id + ".json"), ("{'id':'" + id + "','inputShape':[" + channels
        + ",28,28],'kind':" + kind + "}").replace('\'', '"'));
  }

  @Test
  void topicPlanGivesTwicePartitionsPerWorker() {
    var plan = FleetTopics.plan(12);
    assertEquals(24, plan.get(0).partitions());
    assertTrue(plan.stream().anyMatch(FleetTopics.Topic::compacted));
    assertThrows(IllegalArgumentException.class, () -> FleetTopics.plan(0));
  }
}

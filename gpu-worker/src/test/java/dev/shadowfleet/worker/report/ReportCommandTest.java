package dev.shadowfleet.worker.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.worker.cli.ShadowfleetCli;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shadowfleet report} on a small raw tree in the committed layout: the tables carry the
 * hand-computed numbers of {@link ReproStatsTest}, every plot is a readable PNG, the grids take the right
 * panel of each triptych, and a document's marked regions are refilled (twice gives the same text).
 */
class ReportCommandTest {
  @TempDir Path dir;

  @Test
  void tablesPlotsAndDocumentFromRawData() throws Exception {
    Path raw = dir.resolve("raw");
    write(raw.resolve("table1/rs-0.25/0-4.csv"), ReproStatsTest.HEADER + "\n"
        + "fmnist-rs-0.25,0,3,5,DONE,true,true,3,true,0.5,5,true,0.7,CERTIFY,0.1,2.0,3.0,0.5,9,j\n"
        + "fmnist-rs-0.25,1,1,2,DONE,false,false,1,true,0.3,1,true,0.2,CERTIFY,1.5,1.0,2.0,0.4,9,j\n"
        + "fmnist-rs-0.25,2,2,,SKIPPED_ABSTAIN,false,false,-1,false,,,,,,,,,,1,j\n"
        + "fmnist-rs-0.25,3,4,7,DONE,true,false,4,true,0.1,6,true,0.4,CERTIFY,0.2,1.0,1.0,0.3,9,j\n");
    // the same images at a smaller attack budget: image 0 spoofs a smaller radius, image 3 fails
    write(raw.resolve("table1-budget/rs-0.25/0-4.csv"), ReproStatsTest.HEADER + "\n"
        + "fmnist-rs-0.25,0,3,5,DONE,true,true,3,true,0.5,5,true,0.6,CERTIFY,0.1,2.0,3.0,0.5,9,j\n"
        + "fmnist-rs-0.25,1,1,2,DONE,false,false,1,true,0.3,1,true,0.2,CERTIFY,1.5,1.0,2.0,0.4,9,j\n"
        + "fmnist-rs-0.25,3,4,7,DONE,false,false,4,true,0.1,4,true,0.4,CERTIFY,0.2,1.0,1.0,0.3,9,j\n");
    for (String mode : new String[] {"1ch", "3ch"}) {
      write(raw.resolve("rgb/rgb-0.25-" + mode + "/0-1.csv"), ReproStatsTest.HEADER + "\n"
          + "fmnist-rgb-rs-0.25,0,3,5,DONE,true,true,3,true,0.5,5,true," + ("3ch".equals(mode) ? "0.9" : "0.6")
          + ",CERTIFY,0.1,2.0,3.0,0.5,9,j\n");
    }
    String ibp = "fmnist-ibp-0.1-mlp,0,0,2,DONE,true,true,0,true,0.1,2,true,0.1,IBP,0.1,1,1,0.1,9,x\n"
        + "fmnist-ibp-0.1-mlp,1,1,3,DONE,false,false,1,false,0.1,3,false,0.1,IBP,0.1,1,1,0.1,9,x\n"
        + "fmnist-ibp-0.1-mlp,2,2,4,DONE,false,false,5,true,0.1,2,true,0.1,IBP,0.1,1,1,0.1,9,x\n"
        + "fmnist-ibp-0.1-mlp,3,3,,DONE,false,false,3,true,0.1,,,,,,,,,9,x\n"
        + "fmnist-ibp-0.1-conv-small,0,0,2,DONE,true,true,0,true,0.1,2,true,0.1,IBP,0.1,1,1,0.1,9,x\n"
        + "fmnist-ibp-0.1-conv-small,1,1,2,DONE,false,false,1,true,0.1,1,true,0.1,IBP,0.1,1,1,0.1,9,x\n";
    write(raw.resolve("table2/ibp-robust-ce/0-4.csv"), ReproStatsTest.HEADER + "\n" + ibp);
    write(raw.resolve("table2/ibp-plain-ce/0-4.csv"), ReproStatsTest.HEADER + "\n"
        + ibp.replace(",2,true,0.1,IBP", ",0,true,0.1,IBP"));
    write(raw.resolve("runs.csv"), "experiment,sweep,from,to,sweep_id,jobs,done,skipped,failed,created_at,"
        + "completed_at,wall_seconds,workers,load_avg,host\n"
        + "\"table1\",\"rs-0.25\",\"0\",\"4\",\"sw-1\",40,30,0,10,\"2026-11-26T01:00:00Z\",\"2026-11-26T01:10:00Z\",600,\"2\",\"1.0/1.0/1.0\",\"2 cores\"\n");
    write(raw.resolve("ablation/steps/trace.csv"), "image,label,target,step,spoof,tv,color,dissim,total\n"
        + "0,1,2,0,2.0,10,1,0,13\n0,1,3,0,4.0,20,1,0,25\n0,1,2,1,1.0,5,1,0,7\n0,1,3,1,1.0,5,1,0,7\n");
    for (String v : new String[] {"0", "0.15", "0.3"}) {
      write(raw.resolve("ablation/lambda-tv/" + v + "/final.csv"), "image,label,target,spoof,tv,color,dissim,total\n"
          + "0,1,2,1.0," + (1 - Double.parseDouble(v)) + ",1,0,2\n");
      triptych(raw.resolve("ablation/lambda-tv/" + v + "/image-0.png"));
    }
    write(dir.resolve("experiments/table1.json"), "{\"target\": {\"fmnist-rs-0.25\": 100},"
        + " \"sweeps\": {\"rs-0.25\": {\"models\": [\"fmnist-rs-0.25\"],"
        + " \"smoothing\": {\"n0\": 100, \"n\": 100000, \"alpha\": 0.001}}}}");
    Path out = dir.resolve("out");
    Path doc = dir.resolve("doc.md");
    Files.writeString(doc, "intro\n<!-- report:table1 -->\nold\n<!-- /report:table1 -->\nmiddle\n"
        + "<!-- report:nothing -->\n<!-- /report:nothing -->\nend\n");

    String[] args = {"report", "--raw", raw.toString(), "--out", out.toString(), "--doc", doc.toString(),
        "--experiments", dir.resolve("experiments").toString()};
    assertEquals(0, ShadowfleetCli.run(args));

    String tables = Files.readString(out.resolve("tables.md"));
    assertTrue(tables.contains("| table1 | rs-0.25 | 0–3 | 4 | 100 | `tools/repro/run.sh table1 4-100 rs-0.25` |"), tables);
    // rates carry their 95 % Clopper–Pearson interval: scipy beta.ppf(0.025, k, n-k+1), beta.ppf(0.975, k+1, n-k)
    assertTrue(tables.contains("| fmnist-rs-0.25 | 0.25 | 4 | 1 | 3 | 0.300 ± 0.200 | 0.367 ± 0.351 | 2/3 (66.7%; 9.4–99.2%) | 33.3% | 0.550 |"),
        tables);
    assertTrue(tables.contains("| fmnist-rs-0.25 | 3 | 0.300 | 0.367, 2/3 (66.7%; 9.4–99.2%) | 0.200, 1/3 (33.3%; 0.8–90.6%) |"), tables);
    // ceiling 0.25·Φ⁻¹(0.001^(1/100000)) = 0.952864 (scipy); natural 0.5, 0.3, 0.1 are below it, and images
    // 0 (0.7 > 0.5) and 3 (0.4 > 0.1) spoof a larger radius. table1-budget has no experiment file: no ceiling
    assertTrue(tables.contains("| fmnist-rs-0.25 | 3 | 0.953 | 0 | 2/3 | 2/3 |"), tables);
    assertTrue(tables.contains("| fmnist-rs-0.25 | 3 | – | – | 1/3 | – |"), tables);
    assertTrue(Files.isRegularFile(out.resolve("table1-budget-radii-fmnist-rs-0.25.png")));
    assertTrue(tables.contains("| fmnist-rgb-rs-0.25 | 3-channel | 1 | 1 | 0.500 | 0.900 | 1/1 (100.0%; 2.5–100.0%) |"), tables);
    // mlp: robust 50%, attack 75%; conv-small: robust 0%, attack 50% (image 1 keeps its label)
    assertTrue(tables.contains("| fmnist-ibp-0.1-mlp | 0.1 | 4 | 50.0% | 3/4 (75.0%; 19.4–99.4%) | 3/4 (75.0%; 19.4–99.4%) | 1.000 / 0.100 |"), tables);
    assertTrue(tables.contains("| 0.1 | 2 models | IBP robust error (natural) | 0.0% | 25.0% | 50.0% |"), tables);
    assertTrue(tables.contains("| 0.1 | 2 models | Shadow Attack, ibp-robust-ce | 50.0% | 62.5% | 75.0% |"), tables);
    // plain CE run: attack label 2 became 0 — images 0 of both models now keep their true label 0 (errors),
    // mlp image 2 (true 2) no longer does: mlp 3/4, conv-small 2/2
    assertTrue(tables.contains("| 0.1 | 2 models | Shadow Attack, ibp-plain-ce | 75.0% | 87.5% | 100.0% |"), tables);
    assertTrue(tables.contains("| 0 | 3.0000 | 15.0000 | 1.0000 | 19.0000 |"), tables); // step 0 means
    assertTrue(tables.contains("| 0.15 | 0.8500 | 1.0000 | 1 |"), tables);
    // the chunk's CSV has 4 images, one abstained: all 4 ran
    assertTrue(tables.contains("| table1 | rs-0.25 | 0–3 | 4 | 40 | `sw-1` |  | 0:10:00 | 150 | 2 |"), tables);

    for (String png : new String[] {"table1-radii-fmnist-rs-0.25.png", "table1-success-by-class.png",
        "rgb-radii-fmnist-rgb-rs-0.25.png", "table2-errors.png", "ablation-loss.png", "ablation-tv.png",
        "ablation-c.png", "ablation-lambda-tv.png"}) {
      BufferedImage img = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(img, png);
      assertEquals(640, img.getWidth(), png);
    }
    BufferedImage grid = ImageIO.read(out.resolve("ablation-lambda-tv-grid.png").toFile());
    assertEquals(90 + 4 * (20 + 4), grid.getWidth()); // header column + original + 3 values
    // original column shows the triptych's natural panel (red), the value columns its adversarial one (blue)
    assertEquals(Color.RED.getRGB(), grid.getRGB(90 + 10, 44 + 5));
    assertEquals(Color.BLUE.getRGB(), grid.getRGB(90 + 24 + 10, 44 + 5));

    String filled = Files.readString(doc);
    assertTrue(filled.startsWith("intro\n<!-- report:table1 -->\n| model | σ |"), filled);
    assertTrue(filled.contains("<!-- report:nothing -->\n(no data yet)\n<!-- /report:nothing -->\nend\n"), filled);
    assertEquals(0, ShadowfleetCli.run(args));
    assertEquals(filled, Files.readString(doc));
  }

  @Test
  void missingRawDirectoryIsBadInput() {
    assertEquals(2, ShadowfleetCli.run("report", "--raw", dir.resolve("none").toString(), "--out", dir.toString()));
  }

  private static void write(Path p, String text) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  /** A 3-panel image as the CLI writes it (20 px panels, 4 px gaps): red | grey | blue. */
  private static void triptych(Path p) throws Exception {
    BufferedImage t = new BufferedImage(3 * 20 + 8, 20, BufferedImage.TYPE_INT_RGB);
    int[] colors = {Color.RED.getRGB(), Color.GRAY.getRGB(), Color.BLUE.getRGB()};
    for (int k = 0; k < 3; k++) {
      for (int y = 0; y < 20; y++) {
        for (int x = 0; x < 20; x++) {
          t.setRGB(k * 24 + x, y, colors[k]);
        }
      }
    }
    ImageIO.write(t, "png", p.toFile());
  }
}

package dev.shadowfleet.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI end to end on a small IBP network (random weights) and real Fashion-MNIST images. */
class AttackCommandTest {
  private static final String MODEL =
      Path.of("src/test/resources/fixtures/models/tiny-seq.json").toAbsolutePath().toString();

  @Test
  void attackWritesRecordsImagesAndTable2(@TempDir Path out) throws Exception {
    Result r = cli("attack", "--model", MODEL, "--images", "0..1", "--targets", "1,2,3",
        "--set", "steps=3", "--set", "learningRate=2", "--out", out.toString());
    assertEquals(0, r.code, r.err);
    assertTrue(Files.size(out.resolve("image-0.png")) > 0);
    assertTrue(Files.readString(out.resolve("image-1.json")).contains("\"outcome\""));
    assertTrue(Files.readString(out.resolve("summary.json")).contains("robustErrorPercent"));
    assertTrue(r.out.contains("robust error (natural)"), r.out);
    assertTrue(r.err.contains("2/2 images"), r.err);
  }

  /** A smoothed TorchScript model (σ = 0.25): Table 1 at a small certification budget. */
  @Test
  void smoothedModelGivesTable1(@TempDir Path out) throws Exception {
    String ts = Path.of("src/test/resources/fixtures/models/tiny-ts.json").toAbsolutePath().toString();
    Result r = cli("attack", "--model", ts, "--images", "0,1", "--preset", "quick", "--set", "steps=2",
        "--n0", "20", "--n", "200", "--alpha", "0.01", "--out", out.toString());
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.contains("Shadow Attack radius"), r.out);
    assertTrue(Files.readString(out.resolve("summary.json")).contains("successRate"));
  }

  /**
   * A bundled TorchScript IBP model: attacked through its card's layer list, so the default robust
   * loss runs (on the module alone it is refused with exit code 2).
   */
  @Test
  void torchScriptIbpModelIsAttackedWithTheRobustLoss(@TempDir Path out) throws Exception {
    String ts = dev.shadowfleet.worker.engine.model.ModelRegistry.defaultRoot()
        .resolve("torchscript/fmnist-ibp-0.1-conv-small.json").toString();
    Result r = cli("attack", "--model", ts, "--images", "0", "--targets", "1", "--set", "steps=2",
        "--out", out.toString());
    assertEquals(0, r.code, r.err);
    assertTrue(Files.readString(out.resolve("image-0.json")).contains("\"outcome\""));
  }

  @Test
  void certifyPrintsOneRowPerImage() throws Exception {
    Result r = cli("certify", "--model", MODEL, "--images", "3,5,7");
    assertEquals(0, r.code, r.err);
    assertTrue(r.out.contains("correct and certified:"), r.out);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--images|5..2|--images",
      "--images|70000|--images",
      "--targets|1,x|--targets",
      "--preset|paper-xyz|--preset",
      "--set|lambdaTv=-1|lambdaTv",
      "--set|noiseBatch=0|noiseBatch",
      "--set|bogus=1|bogus",
      "--dataset|nowhere:x|--dataset",
      "--model|no-such-model|--model",
      "--n|5|--n"})
  void badInputExitsWithTwoAndNamesTheOption(String option, String value, String named)
      throws Exception {
    String[] base = {"attack", "--model", MODEL, "--images", "0", option, value};
    Result r = cli(base);
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.contains(named), r.err);
    assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
  }

  @Test
  void helpEverywhere() throws Exception {
    for (String cmd : new String[] {"attack", "certify"}) {
      Result r = cli(cmd, "--help");
      assertEquals(0, r.code);
      assertTrue(r.out.contains("Exit codes"), r.out);
    }
  }

  private record Result(int code, String out, String err) {}

  private static synchronized Result cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = ShadowfleetCli.run(args);
      return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}

package dev.shadowfleet.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WorkerCommandTest {

  @Test
  void aBadOptionExitsTwoNamingTheSetting() {
    String[] out = run("worker", "--max-attempts", "0");
    assertEquals("2", out[0]);
    assertTrue(out[2].contains("SHADOWFLEET_MAX_ATTEMPTS") && out[2].contains("in [1, 100]"), out[2]);
    out = run("worker", "--device", "tpu");
    assertEquals("2", out[0]);
    assertTrue(out[2].contains("SHADOWFLEET_DEVICE"), out[2]);
  }

  @Test
  void helpListsTheOptionsWithTheirVariables() {
    String[] out = run("worker", "--help");
    assertEquals("0", out[0]);
    for (String s : new String[] {"--bootstrap", "SHADOWFLEET_KAFKA_BOOTSTRAP", "--max-poll-records",
        "SHADOWFLEET_SHUTDOWN_DEADLINE_S", "--device"}) {
      assertTrue(out[1].contains(s), s + " in\n" + out[1]);
    }
  }

  /** {exit code, stdout, stderr}. */
  private static String[] run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = ShadowfleetCli.run(args);
      return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8),
          e.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}

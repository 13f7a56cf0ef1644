package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak run ({@code tools/faults/soak.sh SECONDS}): the whole stack on loopback, workers on the tiny
 * model with one attack step (the pipeline, not the engine, is the load), sweeps submitted so the
 * queue never runs dry for {@code shadowfleet.soak.seconds}; then the queue drains and every sweep is
 * checked with the {@link Invariant}. Reports jobs/s, failed jobs (and those failed because retries ran out), lost and duplicated jobs.
 */
@Tag("faults")
class SoakTest {
  private static final int IMAGES_PER_SWEEP = 50;
  private static final long BACKLOG = 1_500;

  @TempDir Path dir;

  @Test
  void soak() throws Exception {
    assumeTrue(FaultStack.coordinatorBuilt(), "coordinator not built (./mvnw package -pl coordinator -am)");
    assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "no Fashion-MNIST");
    int seconds = Integer.getInteger("shadowfleet.soak.seconds", 60);
    int workers = Integer.getInteger("shadowfleet.soak.workers", 2);
    try (FaultStack stack = FaultStack.start(dir, workers)) {
      FaultScenarios scenarios = new FaultScenarios(stack);
      List<FaultStack.Sweep> sweeps = new ArrayList<>();
      long submitted = 0;
      int next = 0;
      long t0 = System.nanoTime();
      long end = t0 + Duration.ofSeconds(seconds).toNanos();
      long finishedAtEnd = 0;
      while (System.nanoTime() < end) {
        long finished = finishedOf(stack, sweeps);
        if (submitted - finished < BACKLOG) {
          FaultStack.Sweep s = stack.submit((next * IMAGES_PER_SWEEP) % 10_000, IMAGES_PER_SWEEP, 1);
          next++;
          sweeps.add(s);
          submitted += s.jobs();
        }
        FaultStack.sleep(500);
      }
      finishedAtEnd = finishedOf(stack, sweeps);
      double window = (System.nanoTime() - t0) / 1e9;
      long drainStart = System.nanoTime();
      long total = submitted;
      stack.await(Duration.ofMinutes(10), () -> finishedOf(stack, sweeps) >= total, "the backlog to drain");
      scenarios.awaitIngested(Duration.ofSeconds(120));
      double drain = (System.nanoTime() - drainStart) / 1e9;
      long lost = 0;
      long duplicated = 0;
      long failures;
      long exhausted;
      List<String> problems = new ArrayList<>();
      try (Connection db = stack.db()) {
        for (FaultStack.Sweep s : sweeps) {
          Invariant.Report r = Invariant.check(db, s.id());
          lost += r.lost();
          duplicated += r.duplicated();
          problems.addAll(r.problems());
        }
        // failures: jobs FAILED other than by the engine's verdict that the target is the image's label
        // (a NaN spoofing loss is such a verdict too; retries run out only on transient errors)
        try (var st = db.createStatement(); var rs = st.executeQuery(
            "SELECT count(*) FILTER (WHERE coalesce(reason, '') NOT LIKE '%equals the image%'),"
                + " count(*) FILTER (WHERE reason LIKE '%" + Invariant.RETRIES_EXHAUSTED + "%')"
                + " FROM jobs WHERE state = 'FAILED'")) {
          rs.next();
          failures = rs.getLong(1);
          exhausted = rs.getLong(2);
        }
      }
      String line = String.format("soak %d s, %d workers: %d sweeps, %d jobs; %d finished in the window = %.1f jobs/s;"
              + " drain %.0f s; failed jobs %d (%d after retries ran out), lost %d, duplicated %d; load average %s",
          seconds, workers, sweeps.size(), total, finishedAtEnd, finishedAtEnd / window, drain, failures, exhausted, lost,
          duplicated, Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.println(line);
      Path out = Path.of("target", "faults", "soak.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())));
      assertEquals(0, lost + duplicated + exhausted, line);
    }
  }

  private static long finishedOf(FaultStack stack, List<FaultStack.Sweep> sweeps) {
    long sum = 0;
    for (FaultStack.Sweep s : sweeps) {
      long f = stack.finished(s.id());
      sum += Math.max(0, f);
    }
    return sum;
  }
}

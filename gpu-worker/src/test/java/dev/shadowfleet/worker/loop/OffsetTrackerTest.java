package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private static final TopicPartition P0 = new TopicPartition("jobs", 0);
  private static final TopicPartition P1 = new TopicPartition("jobs", 1);

  @Test
  void commitsOnlyUpToTheFirstUnfinishedOffset() {
    OffsetTracker t = new OffsetTracker();
    for (long o = 10; o <= 14; o++) {
      t.track(P0, o);
    }
    assertEquals(Map.of(), t.committable(), "nothing finished yet");
    t.finished(P0, 12); // a later batch finishes first (interleaved keys)
    t.finished(P0, 13);
    assertEquals(Map.of(), t.committable(), "10 is still running: committing 14 would lose it");
    t.finished(P0, 10);
    assertEquals(Map.of(P0, new OffsetAndMetadata(11)), t.committable());
    assertEquals(OptionalLong.of(11), t.firstUnfinished(P0));
    t.finished(P0, 11);
    assertEquals(Map.of(P0, new OffsetAndMetadata(14)), t.committable());
    t.committed(t.committable());
    t.finished(P0, 14);
    assertEquals(Map.of(P0, new OffsetAndMetadata(15)), t.committable());
    t.committed(t.committable());
    assertEquals(Map.of(), t.committable());
    assertEquals(0, t.unfinished());
  }

  @Test
  void partitionsAreIndependentAndForgottenOnRevoke() {
    OffsetTracker t = new OffsetTracker();
    t.track(P0, 0);
    t.track(P1, 5);
    t.track(P1, 6);
    t.finished(P1, 5);
    assertEquals(Map.of(P1, new OffsetAndMetadata(6)), t.committable());
    assertEquals(Map.of(), t.committable(List.of(P0)));
    t.forget(List.of(P1));
    assertEquals(Map.of(), t.committable());
    assertEquals(1, t.unfinished());
    t.finished(P1, 6); // a late finish of a revoked partition is ignored
    assertEquals(Map.of(), t.committable());
  }

  @Test
  void neverCommitsPastAnUnfinishedOffsetInRandomOrders() {
    Random random = new Random(5);
    for (int trial = 0; trial < 500; trial++) {
      OffsetTracker t = new OffsetTracker();
      int n = 1 + random.nextInt(30);
      List<Long> order = new ArrayList<>();
      for (long o = 0; o < n; o++) {
        t.track(P0, o);
        order.add(o);
      }
      Collections.shuffle(order, random);
      TreeSet<Long> finished = new TreeSet<>();
      long committed = 0;
      for (long o : order) {
        t.finished(P0, o);
        finished.add(o);
        var c = t.committable();
        long expected = 0;
        while (finished.contains(expected)) {
          expected++;
        }
        if (expected > committed) {
          assertEquals(Map.of(P0, new OffsetAndMetadata(expected)), c);
          if (random.nextBoolean()) { // some commits fail and are retried with the next one
            t.committed(c);
            committed = expected;
          }
        } else {
          assertTrue(c.isEmpty(), c.toString());
        }
      }
    }
  }
}

package dev.shadowfleet.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * The retry around topic creation: a broker that has not caught up answers with a retriable error (seen
 * as "This server does not host this topic-partition" from a just-started broker), which is waited out;
 * anything else fails at once. The topic creation itself runs against a real broker in KafkaBrokerTest.
 */
class FleetTopicsTest {

  @Test
  void aRetriableErrorIsRepeatedUntilTheStepGoesThrough() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FleetTopics.whileRetriable(Duration.ofSeconds(10), () -> {
      if (calls.incrementAndGet() < 3) {
        throw new ExecutionException(new UnknownTopicOrPartitionException("not yet"));
      }
    });
    assertEquals(3, calls.get());
  }

  @Test
  void anyOtherErrorIsThrownAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        FleetTopics.whileRetriable(Duration.ofSeconds(10), () -> {
          calls.incrementAndGet();
          throw new ExecutionException(new InvalidConfigurationException("bad cleanup.policy"));
        }));
    assertEquals(1, calls.get());
    assertInstanceOf(InvalidConfigurationException.class, e.getCause());
  }

  @Test
  void aRetriableErrorThatOutlastsTheWindowIsThrown() {
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    ExecutionException e = assertThrows(ExecutionException.class, () ->
        FleetTopics.whileRetriable(Duration.ofMillis(500), () -> {
          calls.incrementAndGet();
          throw new ExecutionException(new UnknownTopicOrPartitionException("never"));
        }));
    assertInstanceOf(UnknownTopicOrPartitionException.class, e.getCause());
    assertTrue(calls.get() >= 2, "retried before giving up: " + calls.get());
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(500).toNanos(), "gave up only after the window");
  }
}

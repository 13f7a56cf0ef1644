package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.MessageCodec;
import dev.shadowfleet.common.message.MessageException;
import dev.shadowfleet.common.message.SweepControl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of cancelled sweeps, read from the compacted sweeps topic (key = sweep id, latest value
 * wins, a tombstone forgets the sweep). Its own thread and consumer: every worker reads the whole
 * topic from the beginning, without a group. {@link #awaitCaughtUp} blocks until the state at start
 * is read, so a restarted worker never computes a job of a sweep cancelled while it was down.
 */
public final class SweepControlView implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SweepControlView.class);
  private static final Duration METADATA_RETRY = Duration.ofSeconds(5);

  private final WorkerConfig config;
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile KafkaConsumer<String, byte[]> consumer;

  public SweepControlView(WorkerConfig config) {
    this.config = config;
  }

  public boolean isCancelled(String sweepId) {
    return cancelled.contains(sweepId);
  }

  /** True once the topic's content at start has been read. */
  public boolean isCaughtUp() {
    return caughtUp.getCount() == 0;
  }

  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    String topic = config.topics().sweeps();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config.sweepReaderProperties())) {
      consumer = c;
      List<TopicPartition> partitions = List.of();
      Map<TopicPartition, Long> startEnd = Map.of();
      long nextMetadataCheck = 0;
      while (!closed) {
        if (partitions.isEmpty() && System.nanoTime() >= nextMetadataCheck) {
          partitions = partitionsOf(c, topic);
          nextMetadataCheck = System.nanoTime() + METADATA_RETRY.toNanos();
          if (partitions.isEmpty()) {
            caughtUp.countDown(); // no topic yet: no sweep was ever cancelled
            LOG.info("sweeps topic {} not found yet; no sweep cancelled", topic);
          } else {
            c.assign(partitions);
            c.seekToBeginning(partitions);
            startEnd = c.endOffsets(partitions);
          }
        }
        if (partitions.isEmpty()) {
          sleep(config.pollTimeout());
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(config.pollTimeout())) {
          apply(r);
        }
        if (!isCaughtUp() && reached(c, startEnd)) {
          LOG.info("sweeps topic {} read: {} cancelled sweep(s)", topic, cancelled.size());
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("sweep control reader stopped: {}", e.toString());
      throw e;
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      if (r.key() != null && cancelled.remove(r.key())) {
        LOG.info("sweep {} forgotten (tombstone)", r.key());
      }
      return;
    }
    try {
      SweepControl control = MessageCodec.decode(r.value(), SweepControl.class);
      if (control.cancelled()) {
        if (cancelled.add(control.sweepId())) {
          LOG.info("sweep {} cancelled: its queued jobs will be reported CANCELLED", control.sweepId());
        }
      } else {
        cancelled.remove(control.sweepId());
      }
    } catch (MessageException e) {
      LOG.warn("sweep control at {}-{}@{} unreadable, ignored: {}: {}", r.topic(), r.partition(),
          r.offset(), e.field(), e.getMessage());
    }
  }

  private static boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<String, byte[]> c, String topic) {
    var infos = c.partitionsFor(topic);
    return infos == null ? List.of()
        : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  private void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }
}

package dev.shadowfleet.worker.loop;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which polled offsets are finished (result acked), per partition, and how far each partition can
 * be committed: up to the first offset not yet finished. Records of one partition may belong to
 * several image batches (keys interleave), and a commit of offset n covers every offset below n, so
 * a later batch finishing first must not commit over an earlier one still running. Not thread-safe:
 * the consumer thread owns it.
 */
final class OffsetTracker {
  private final Map<TopicPartition, TreeMap<Long, Boolean>> partitions = new HashMap<>();

  /** A polled record, not finished yet. */
  void track(TopicPartition tp, long offset) {
    partitions.computeIfAbsent(tp, k -> new TreeMap<>()).putIfAbsent(offset, false);
  }

  /** The record's result (or DLQ entry, or retry) is acked. */
  void finished(TopicPartition tp, long offset) {
    TreeMap<Long, Boolean> offsets = partitions.get(tp);
    if (offsets != null && offsets.containsKey(offset)) {
      offsets.put(offset, true);
    }
  }

  /** Positions to commit: for each partition whose finished prefix is not empty, its end. */
  Map<TopicPartition, OffsetAndMetadata> committable() {
    return committable(partitions.keySet());
  }

  Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> which) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : which) {
      TreeMap<Long, Boolean> offsets = partitions.get(tp);
      if (offsets == null || offsets.isEmpty() || !offsets.firstEntry().getValue()) {
        continue;
      }
      long position = offsets.lastKey() + 1;
      for (var e : offsets.entrySet()) {
        if (!e.getValue()) {
          position = e.getKey();
          break;
        }
      }
      out.put(tp, new OffsetAndMetadata(position));
    }
    return out;
  }

  /** The commit of {@code positions} succeeded: forget what it covers. */
  void committed(Map<TopicPartition, OffsetAndMetadata> positions) {
    positions.forEach((tp, om) -> {
      TreeMap<Long, Boolean> offsets = partitions.get(tp);
      if (offsets != null) {
        offsets.headMap(om.offset()).clear();
        if (offsets.isEmpty()) {
          partitions.remove(tp);
        }
      }
    });
  }

  /** The first offset of {@code tp} not finished (where to seek back to redo it). */
  OptionalLong firstUnfinished(TopicPartition tp) {
    TreeMap<Long, Boolean> offsets = partitions.get(tp);
    if (offsets == null) {
      return OptionalLong.empty();
    }
    return offsets.entrySet().stream()
        .filter(e -> !e.getValue())
        .mapToLong(Map.Entry::getKey)
        .findFirst();
  }

  /** The partitions left this consumer: their state is the new owner's. */
  void forget(Collection<TopicPartition> gone) {
    gone.forEach(partitions::remove);
  }

  /** Tracked records not finished, over all partitions. */
  int unfinished() {
    return partitions.values().stream().mapToInt(m -> (int) m.values().stream().filter(d -> !d).count()).sum();
  }
}

package dev.shadowfleet.coordinator.ingest;

import dev.shadowfleet.common.message.JobResult;
import dev.shadowfleet.common.message.JobStatus;
import dev.shadowfleet.common.outcome.BestOutcome;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * {@link BestOutcome#ORDER} written as bytes, so that PostgreSQL can apply the best-per-image rule in
 * the upsert itself ({@code bytea} compares like {@code memcmp}, then by length): for any two results
 * a, b, {@code compareUnsigned(key(a), key(b))} has the sign of {@code ORDER.compare(a, b)}. Each
 * comparison step of the order becomes a fixed-width field, in the same sequence:
 *
 * <ol>
 *   <li>1 byte: 0 = DONE, 1 = skipped;
 *   <li>1 byte: 0 = success, 1 = failure;
 *   <li>1 byte: 1 = a success certified by screening only, else 0;
 *   <li>8 bytes: the success key (RS: −radius; IBP: TV, NaN/absent → Double.MAX_VALUE; failures: 0);
 *   <li>8 bytes: the failure key (spoofing loss, NaN or absent → Double.MAX_VALUE; successes: 0);
 *   <li>4 bytes: target;
 *   <li>the job id, 2 bytes per UTF-16 unit (String.compareTo order).
 * </ol>
 *
 * Doubles use the usual order-preserving bit trick, which reproduces {@link Double#compare} exactly
 * (−0.0 &lt; 0.0, NaN last). {@code OutcomeRankTest} checks the agreement on random and edge-case results.
 */
public final class OutcomeRank {
  private OutcomeRank() {}

  public static byte[] key(JobResult r) {
    String id = r.jobId();
    ByteBuffer b = ByteBuffer.allocate(3 + 8 + 8 + 4 + 2 * id.length());
    boolean success = r.success();
    b.put((byte) (r.status() == JobStatus.DONE ? 0 : 1));
    b.put((byte) (success ? 0 : 1));
    b.put((byte) (success && BestOutcome.isScreening(r) ? 1 : 0));
    b.putLong(sortable(BestOutcome.successKey(r)));
    b.putLong(sortable(BestOutcome.failureKey(r)));
    b.putInt(r.target() ^ Integer.MIN_VALUE);
    for (int i = 0; i < id.length(); i++) {
      b.putChar(id.charAt(i));
    }
    return b.array();
  }

  public static String hex(JobResult r) {
    return HexFormat.of().formatHex(key(r));
  }

  /** Unsigned bits whose unsigned order is {@link Double#compare}'s order. */
  static long sortable(double d) {
    long bits = Double.doubleToLongBits(d);
    return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
  }
}

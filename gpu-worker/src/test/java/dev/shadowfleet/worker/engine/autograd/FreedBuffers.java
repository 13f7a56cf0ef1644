package dev.shadowfleet.worker.engine.autograd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a use of freed Java buffer memory visible: collects garbage, waits for the cleaner to free
 * unreachable direct buffers, then allocates many small direct buffers filled with NaN. The C
 * allocator hands recently freed small blocks out first, so a tensor still pointing into a freed
 * buffer now reads NaN. The returned list must stay reachable until the tensor has been used.
 */
public final class FreedBuffers {
  private FreedBuffers() {}

  public static List<ByteBuffer> overwriteWithNaN() {
    System.gc();
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<ByteBuffer> keep = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
      b.putDouble(0, Double.NaN); // NaN as a double; as two floats, the upper one is NaN too
      keep.add(b);
    }
    return keep;
  }
}

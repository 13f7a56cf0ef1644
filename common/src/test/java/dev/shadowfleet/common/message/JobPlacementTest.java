package dev.shadowfleet.common.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link JobPlacement} checked by brute force over every small sweep shape, against its promises. */
class JobPlacementTest {

  /** Every target of one image of one model lands on one partition, inside the topic. */
  @Test
  void theTargetsOfAnImageShareOnePartition() {
    for (int p = 1; p <= 30; p++) {
      for (int models = 1; models <= 4; models++) {
        for (int targets = 1; targets <= 10; targets += 3) {
          for (long key = 0; key < 50; key++) {
            Set<Integer> seen = new HashSet<>();
            for (int t = 0; t < targets; t++) {
              int part = JobPlacement.partition("sw-" + key, key * targets + t, models, targets, p);
              assertTrue(part >= 0 && part < p, "partition " + part + " of " + p);
              seen.add(part);
            }
            assertEquals(1, seen.size(), "key " + key + ", P " + p);
          }
        }
      }
    }
  }

  /**
   * Each partition holds ⌊N/P⌋ or ⌈N/P⌉ images of each model, for every N and whatever the sweep's rotation
   * (any assignment is then fair).
   */
  @Test
  void everyPartitionHoldsItsShareOfEachModelToOneImage() {
    for (int p = 1; p <= 48; p++) {
      for (int models = 1; models <= 5; models++) {
        for (int n = 1; n <= 120; n++) {
          int[][] count = new int[models][p];
          for (long seq = 0; seq < (long) n * models; seq++) { // one target per image
            int m = (int) (seq % models);
            count[m][JobPlacement.partition("sw-" + n, seq, models, 1, p)]++;
          }
          for (int m = 0; m < models; m++) {
            for (int part = 0; part < p; part++) {
              int c = count[m][part];
              assertTrue(c == n / p || c == (n + p - 1) / p,
                  "P " + p + ", " + models + " models, N " + n + ": model " + m + " has " + c + " on " + part);
            }
          }
        }
      }
    }
  }

  /**
   * Two workers with the usual assignments of P partitions (P a multiple of 4, like the default 24):
   * contiguous halves, or even and odd partitions. For one or two models and every sweep size, each
   * model's images split between the two to one image, so the workers' image counts differ by at most
   * one per model. The key hash, for comparison, gives the 20 × 2 sweep of the end-to-end test a split
   * decided by chance.
   */
  @Test
  void twoWorkersGetTheSameNumberOfImagesOfEachModelToOne() {
    for (int p = 4; p <= 48; p += 4) {
      int half = p / 2;
      for (int models = 1; models <= 2; models++) {
        for (int n = 1; n <= 200; n++) {
          int[] lowerHalf = new int[models];
          int[] even = new int[models];
          for (long img = 0; img < n; img++) {
            for (int m = 0; m < models; m++) {
              int part = JobPlacement.partitionOf(img, m, models, p);
              lowerHalf[m] += part < half ? 1 : 0;
              even[m] += part % 2 == 0 ? 1 : 0;
            }
          }
          for (int m = 0; m < models; m++) {
            String where = "P " + p + ", " + models + " models, N " + n + ", model " + m;
            assertTrue(Math.abs(2 * lowerHalf[m] - n) <= 1, where + ": lower half " + lowerHalf[m]);
            assertTrue(Math.abs(2 * even[m] - n) <= 1, where + ": even " + even[m]);
          }
        }
      }
    }
  }

  /** Whatever a sweep's rotation, the two usual two-worker assignments split each model's images to two. */
  @Test
  void twoWorkersGetTheSameNumberOfImagesOfEachModelToTwoAtAnyRotation() {
    for (int p = 4; p <= 48; p += 4) {
      for (int rotation = 0; rotation < p; rotation++) {
        for (int models = 1; models <= 2; models++) {
          for (int n = 1; n <= 120; n++) {
            for (int m = 0; m < models; m++) {
              int lowerHalf = 0;
              int even = 0;
              for (long img = 0; img < n; img++) {
                int part = JobPlacement.partitionOf(img + rotation, m, models, p);
                lowerHalf += part < p / 2 ? 1 : 0;
                even += part % 2 == 0 ? 1 : 0;
              }
              String where = "P " + p + ", R " + rotation + ", " + models + " models, N " + n + ", model " + m;
              assertTrue(Math.abs(2 * lowerHalf - n) <= 2, where + ": lower half " + lowerHalf);
              assertTrue(Math.abs(2 * even - n) <= 2, where + ": even " + even);
            }
          }
        }
      }
    }
  }

  /**
   * Many small sweeps, as a reproduction cut into 5-image chunks submits them: 400 sweeps of 5 images × 9
   * targets with ids as the coordinator makes them, 24 partitions, two workers with contiguous halves or
   * even/odd partitions. Dealt from the same partition, every sweep's odd image went to one side (1,200
   * images against 800); rotated per sweep, the two sides get 1,000 each to within 5 %, and no partition
   * holds more than twice its share.
   */
  @Test
  void manySmallSweepsSpreadOverTheWorkers() {
    int p = 24;
    java.util.Random random = new java.util.Random(7);
    int[] perPartition = new int[p];
    for (int sweep = 0; sweep < 400; sweep++) {
      StringBuilder id = new StringBuilder("sw-");
      for (int c = 0; c < 10; c++) {
        id.append("abcdefghijkmnpqrstuvwxyz23456789".charAt(random.nextInt(32)));
      }
      for (long seq = 0; seq < 5 * 9; seq += 9) { // the first target of each image: one per image
        perPartition[JobPlacement.partition(id.toString(), seq, 1, 9, p)]++;
      }
    }
    int lowerHalf = 0;
    int even = 0;
    for (int part = 0; part < p; part++) {
      lowerHalf += part < p / 2 ? perPartition[part] : 0;
      even += part % 2 == 0 ? perPartition[part] : 0;
      assertTrue(perPartition[part] <= 2 * 2000 / p, "partition " + part + ": " + perPartition[part]);
    }
    assertTrue(Math.abs(lowerHalf - 1000) <= 50, "lower half " + lowerHalf);
    assertTrue(Math.abs(even - 1000) <= 50, "even partitions " + even);
  }

  @Test
  void theStrideIsCoprimeAndAboveHalf() {
    assertEquals(1, JobPlacement.stride(1));
    assertEquals(13, JobPlacement.stride(24));
    assertEquals(3, JobPlacement.stride(4));
    assertEquals(5, JobPlacement.stride(6)); // 4 shares a factor with 6
  }

  @Test
  void badArgumentsAreRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobPlacement.partition("sw-a", 0, 1, 1, 0));
    assertTrue(e.getMessage().contains("partitions 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JobPlacement.partition("sw-a", -1, 1, 1, 4));
    assertThrows(IllegalArgumentException.class, () -> JobPlacement.partition("sw-a", 0, 0, 1, 4));
  }
}

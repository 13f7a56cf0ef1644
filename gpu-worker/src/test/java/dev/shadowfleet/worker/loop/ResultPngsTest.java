package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shadowfleet.common.message.JobResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The worker's PNGs, read back by the JDK's own PNG decoder (ImageIO), pixel by pixel. */
class ResultPngsTest {

  @Test
  void greyAndRgbImagesDecodeToTheirPixels() throws Exception {
    Random random = new Random(3);
    for (int c : new int[] {1, 3}) {
      int h = 7;
      int w = 5;
      float[] chw = new float[c * h * w];
      for (int i = 0; i < chw.length; i++) {
        chw[i] = random.nextFloat() * 1.2f - 0.1f; // some outside [0,1]: clipped
      }
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(ResultPngs.png(chw, c, h, w)));
      assertEquals(w, img.getWidth());
      assertEquals(h, img.getHeight());
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            int expected = Math.round(Math.max(0, Math.min(1, chw[ch * h * w + y * w + x])) * 255);
            int actual = c == 1 ? img.getRaster().getSample(x, y, 0) : img.getRaster().getSample(x, y, ch);
            assertEquals(expected, actual, "c=" + c + " (" + x + "," + y + "," + ch + ")");
          }
        }
      }
    }
  }

  @Test
  void thePerturbationIsCentredOnGreyAndScaledToItsLargestChange() {
    float[] x = {0.2f, 0.5f, 0.9f, 0.4f};
    float[] adv = {0.4f, 0.5f, 0.8f, 0.0f};
    float[] p = ResultPngs.perturbation(x, adv);
    // d = (0.2, 0, -0.1, -0.4), max |d| = 0.4
    assertEquals(0.75f, p[0], 1e-6);
    assertEquals(0.5f, p[1], 1e-6);
    assertEquals(0.375f, p[2], 1e-6);
    assertEquals(0.0f, p[3], 1e-6);
    assertEquals(0.5f, ResultPngs.perturbation(x, x)[2], 0);
  }

  @Test
  void largeImagesAreHalvedUntilTheyFitAndFashionMnistIsSmall() throws Exception {
    Random random = new Random(5);
    float[] big = new float[3 * 224 * 224];
    float[] bigAdv = new float[big.length];
    for (int i = 0; i < big.length; i++) {
      big[i] = random.nextFloat();
      bigAdv[i] = random.nextFloat();
    }
    JobResult.ResultImages fit = ResultPngs.of(big, bigAdv, 3, 224, 224, 64 * 1024);
    int size = fit.natural().length() + fit.perturbation().length() + fit.adversarial().length();
    assertTrue(size <= 64 * 1024, "fits: " + size);
    BufferedImage n = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(fit.natural())));
    assertTrue(n.getWidth() < 224 && n.getWidth() == n.getHeight(), "a smaller preview: " + n.getWidth());

    float[] fm = new float[28 * 28];
    for (int i = 0; i < fm.length; i++) {
      fm[i] = (i / 28 > 8 && i / 28 < 20) ? 0.6f : 0f; // an object on a black background
    }
    JobResult.ResultImages small = ResultPngs.of(fm, fm, 1, 28, 28, ResultPngs.MAX_BYTES);
    assertTrue(small.natural().length() < 400, small.natural().length() + " base64 bytes");
    JobResult.ResultImages naturalOnly = ResultPngs.of(fm, null, 1, 28, 28, ResultPngs.MAX_BYTES);
    assertNull(naturalOnly.adversarial());
    assertNull(naturalOnly.perturbation());
  }
}

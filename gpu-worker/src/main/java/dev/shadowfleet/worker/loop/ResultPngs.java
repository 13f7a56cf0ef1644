package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.message.JobResult;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The PNGs a result carries (DESIGN.md: "results carry numbers and, for the images worth showing, small
 * PNGs"): the natural image, the perturbation x' − x centred on grey (0.5 + (x' − x) / (2·max|x' − x|),
 * so the strongest change is black or white), and the adversarial image x'. 8-bit grey (C = 1) or RGB
 * (C = 3), written by a minimal encoder (one IDAT, no filter) with no dependency on java.desktop.
 *
 * <p>Size: Fashion-MNIST's three PNGs are about 1.5 KB together. A result travels on Kafka (1 MiB
 * messages by default), so when the three exceed {@code maxBytes} (base64 included) they are halved
 * (2×2 mean) until they fit; an ImageNet-sized image is stored as a smaller preview, never refused.
 */
final class ResultPngs {
  /** Default limit of the three base64 PNGs of one result. */
  static final int MAX_BYTES = 256 * 1024;

  private ResultPngs() {}

  /**
   * @param natural x, C·H·W floats in [0,1], CHW
   * @param adversarial x', same shape, or null (the natural image only: e.g. a skipped job)
   */
  static JobResult.ResultImages of(float[] natural, float[] adversarial, int c, int h, int w, int maxBytes) {
    while (true) {
      String n = base64(natural, c, h, w);
      String p = adversarial == null ? null : base64(perturbation(natural, adversarial), c, h, w);
      String a = adversarial == null ? null : base64(adversarial, c, h, w);
      int size = n.length() + (p == null ? 0 : p.length() + a.length());
      if (size <= maxBytes || h < 16 || w < 16) {
        return new JobResult.ResultImages(n, p, a);
      }
      natural = halve(natural, c, h, w);
      adversarial = adversarial == null ? null : halve(adversarial, c, h, w);
      h /= 2;
      w /= 2;
    }
  }

  /** 0.5 + d / (2·max|d|) with d = x' − x (all 0.5 when x' = x). */
  static float[] perturbation(float[] natural, float[] adversarial) {
    float max = 0;
    for (int i = 0; i < natural.length; i++) {
      max = Math.max(max, Math.abs(adversarial[i] - natural[i]));
    }
    float[] out = new float[natural.length];
    for (int i = 0; i < natural.length; i++) {
      out[i] = max == 0 ? 0.5f : 0.5f + (adversarial[i] - natural[i]) / (2 * max);
    }
    return out;
  }

  /** 2×2 mean per channel (odd last row/column dropped). */
  static float[] halve(float[] chw, int c, int h, int w) {
    int h2 = h / 2;
    int w2 = w / 2;
    float[] out = new float[c * h2 * w2];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h2; y++) {
        for (int x = 0; x < w2; x++) {
          int i = ch * h * w + 2 * y * w + 2 * x;
          out[ch * h2 * w2 + y * w2 + x] = (chw[i] + chw[i + 1] + chw[i + w] + chw[i + w + 1]) / 4;
        }
      }
    }
    return out;
  }

  static String base64(float[] chw, int c, int h, int w) {
    return Base64.getEncoder().encodeToString(png(chw, c, h, w));
  }

  /** An 8-bit grey (c = 1) or RGB (c = 3) PNG of a CHW image in [0,1] (values clipped). */
  static byte[] png(float[] chw, int c, int h, int w) {
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("PNG of " + c + " channels: 1 or 3 expected");
    }
    byte[] raw = new byte[h * (1 + w * c)];
    int k = 0;
    for (int y = 0; y < h; y++) {
      raw[k++] = 0; // filter: none
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < c; ch++) {
          float v = chw[ch * h * w + y * w + x];
          raw[k++] = (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
        }
      }
    }
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      idat.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) (c == 1 ? 0 : 2))
        .put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}

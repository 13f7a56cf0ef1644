package dev.shadowfleet.worker.engine.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte idx file (the MNIST format), plain or gzip-compressed: a 4-byte big-endian magic
 * {@code 0x000008NN} (type 0x08 = unsigned byte, NN = number of dimensions), NN big-endian int32
 * dimension sizes, then the data in row-major order.
 *
 * @param path the file it was read from
 * @param dims dimension sizes, outermost first
 * @param data the payload, {@code product(dims)} bytes
 */
record IdxFile(Path path, int[] dims, byte[] data) {

  private static final int UNSIGNED_BYTE = 0x08;

  /**
   * Reads {@code path} and checks it has {@code expectedDims} dimensions of unsigned bytes and exactly
   * the bytes its header announces. Files ending in {@code .gz} are decompressed.
   */
  static IdxFile read(Path path, int expectedDims) {
    byte[] bytes = readAll(path);
    int expectedMagic = (UNSIGNED_BYTE << 8) | expectedDims;
    if (bytes.length < 4) {
      throw new DatasetException(
          "idx file " + path + " is truncated: expected at least 4 header bytes, got " + bytes.length);
    }
    int magic = readInt(bytes, 0);
    if (magic != expectedMagic) {
      throw new DatasetException(
          String.format(
              "idx file %s has wrong magic number 0x%08x, expected 0x%08x (idx%d unsigned bytes)",
              path, magic, expectedMagic, expectedDims));
    }
    int headerBytes = 4 + 4 * expectedDims;
    if (bytes.length < headerBytes) {
      throw new DatasetException(
          "idx file " + path + " is truncated: expected at least " + headerBytes
              + " header bytes, got " + bytes.length);
    }
    int[] dims = new int[expectedDims];
    long payload = 1;
    for (int d = 0; d < expectedDims; d++) {
      dims[d] = readInt(bytes, 4 + 4 * d);
      if (dims[d] < 0) {
        throw new DatasetException("idx file " + path + " has negative dimension " + d + ": " + dims[d]);
      }
      payload *= dims[d];
    }
    long expected = headerBytes + payload;
    if (bytes.length != expected) {
      throw new DatasetException(
          "idx file " + path + (bytes.length < expected ? " is truncated" : " has trailing data")
              + ": header " + Arrays.toString(dims) + " needs " + expected + " bytes, file has "
              + bytes.length);
    }
    return new IdxFile(path, dims, Arrays.copyOfRange(bytes, headerBytes, bytes.length));
  }

  private static byte[] readAll(Path path) {
    try (InputStream raw = Files.newInputStream(path);
        InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
      return in.readAllBytes();
    } catch (EOFException e) {
      throw new DatasetException("idx file " + path + " is truncated: the gzip stream ends early", e);
    } catch (NoSuchFileException e) {
      throw new DatasetException("idx file " + path + " does not exist", e);
    } catch (IOException e) {
      throw new DatasetException("cannot read idx file " + path + ": " + e, e);
    }
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}

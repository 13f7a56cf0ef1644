package dev.shadowfleet.worker.engine.data;

/** A dataset that cannot be opened or read: the message says which file or index and why. */
public class DatasetException extends RuntimeException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Throws unless {@code 0 <= index < size}, naming the dataset, the index and the size. */
  static void checkIndex(String uri, int index, int size) {
    if (index < 0 || index >= size) {
      throw new DatasetException(
          "index " + index + " is out of range for dataset " + uri + " of size " + size
              + " (valid: 0.." + (size - 1) + ")");
    }
  }
}

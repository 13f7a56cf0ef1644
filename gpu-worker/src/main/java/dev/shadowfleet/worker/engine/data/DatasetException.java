package dev.shadowfleet.worker.engine.data;

/** A dataset that cannot be opened or read: the message says which file or index and why. */
public class DatasetException extends RuntimeException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}

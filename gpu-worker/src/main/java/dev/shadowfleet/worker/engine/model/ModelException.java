package dev.shadowfleet.worker.engine.model;

/**
 * A model that cannot be loaded or trusted: unreadable or invalid card, missing file, checksum
 * mismatch, weights that do not match the card. The message names the file and, for card errors, the
 * field.
 */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}

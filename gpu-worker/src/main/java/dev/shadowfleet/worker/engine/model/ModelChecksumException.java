package dev.shadowfleet.worker.engine.model;

/** A model file whose SHA-256 is not the one registered (or written on its card): never loaded. */
public class ModelChecksumException extends ModelException {
  public ModelChecksumException(String message) {
    super(message);
  }
}

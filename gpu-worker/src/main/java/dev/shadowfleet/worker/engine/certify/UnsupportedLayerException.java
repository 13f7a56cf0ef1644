package dev.shadowfleet.worker.engine.certify;

/**
 * A network the bound engine cannot walk (an unknown layer type, a non-positive normalization std,
 * or no final Linear layer to fold into the margins). Raised before any bound is computed: a layer
 * is never skipped silently.
 */
public final class UnsupportedLayerException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnsupportedLayerException(String message) {
    super(message);
  }
}

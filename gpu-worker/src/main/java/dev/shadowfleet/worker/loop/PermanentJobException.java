package dev.shadowfleet.worker.loop;

/**
 * A batch that can never succeed, whoever runs it and however often: bad model file or checksum,
 * image index outside the dataset, an unknown preset. Its jobs go to the DLQ and are reported FAILED.
 */
public class PermanentJobException extends RuntimeException {
  private final String field;

  /**
   * @param field the job field to blame ({@code modelSha256}, {@code imageIndex}, …), or null
   */
  public PermanentJobException(String field, String message) {
    super(message);
    this.field = field;
  }

  public PermanentJobException(String field, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
  }

  public String field() {
    return field;
  }
}

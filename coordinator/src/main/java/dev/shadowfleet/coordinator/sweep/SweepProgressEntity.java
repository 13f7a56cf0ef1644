package dev.shadowfleet.coordinator.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Job counts per state of one sweep (table {@code sweep_progress}), kept by submit, cancel and ingestion. */
@Entity
@Table(name = "sweep_progress")
public class SweepProgressEntity {
  @Id
  @Column(name = "sweep_id")
  public String sweepId;

  public long queued;
  public long running;
  public long done;
  public long skipped;

  /** Jobs whose target is the image's true label: answered without an attack. */
  @Column(name = "skipped_label")
  public long skippedLabel;

  public long failed;
  public long cancelled;

  /** Jobs that reached an end state. */
  public long finished() {
    return done + skipped + skippedLabel + failed + cancelled;
  }
}

package dev.shadowfleet.coordinator.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One job (table {@code jobs}); rows are written in bulk by {@link JobRepository}, read here. */
@Entity
@Table(name = "jobs")
public class JobEntity {
  @Id public String id;

  @Column(name = "sweep_id")
  public String sweepId;

  public long seq;

  @Column(name = "model_id")
  public String modelId;

  @Column(name = "image_index")
  public int imageIndex;

  public int target;
  public String state;
  public int attempts;
  public String reason;
}

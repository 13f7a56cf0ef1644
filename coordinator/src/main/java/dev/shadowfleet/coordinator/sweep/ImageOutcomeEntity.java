package dev.shadowfleet.coordinator.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** The best outcome of one (sweep, model, image) (table {@code image_outcomes}), written by ingestion. */
@Entity
@Table(name = "image_outcomes")
@IdClass(ImageOutcomeEntity.Key.class)
public class ImageOutcomeEntity {
  @Id
  @Column(name = "sweep_id")
  public String sweepId;

  @Id
  @Column(name = "model_id")
  public String modelId;

  @Id
  @Column(name = "image_index")
  public int imageIndex;

  @Column(name = "best_job_id")
  public String bestJobId;

  public int target;
  public String status;
  public int label;
  public boolean success;

  @Column(name = "targeted_success")
  public boolean targetedSuccess;

  @Column(name = "natural_label")
  public Integer naturalLabel;

  @Column(name = "natural_certified")
  public Boolean naturalCertified;

  @Column(name = "natural_radius")
  public Double naturalRadius;

  @Column(name = "attack_label")
  public Integer attackLabel;

  @Column(name = "attack_certified")
  public Boolean attackCertified;

  @Column(name = "attack_radius")
  public Double attackRadius;

  @Column(name = "attack_method")
  public String attackMethod;

  @Column(name = "spoof_loss")
  public Double spoofLoss;

  public Double tv;
  public int results;

  /** Composite key (sweep, model, image). */
  public static class Key implements Serializable {
    public String sweepId;
    public String modelId;
    public int imageIndex;

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && Objects.equals(sweepId, k.sweepId)
          && Objects.equals(modelId, k.modelId)
          && imageIndex == k.imageIndex;
    }

    @Override
    public int hashCode() {
      return Objects.hash(sweepId, modelId, imageIndex);
    }
  }
}

package dev.shadowfleet.coordinator.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.annotations.ColumnTransformer;

/** A registered model (table {@code models}). */
@Entity
@Table(name = "models")
public class ModelEntity {
  public static final String SMOOTHED = "smoothed";
  public static final String IBP = "ibp";

  @Id public String id;
  public String kind;
  public Double sigma;
  public Double epsilon;
  public int channels;

  @Column(name = "num_classes")
  public int numClasses;

  public String sha256;

  @ColumnTransformer(write = "?::jsonb")
  public String card;

  @Column(name = "registered_at", insertable = false, updatable = false)
  public OffsetDateTime registeredAt;

  public boolean smoothed() {
    return SMOOTHED.equals(kind);
  }
}

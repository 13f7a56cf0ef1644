package dev.shadowfleet.coordinator.sweep;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.annotations.ColumnTransformer;

/** A sweep (table {@code sweeps}); its job counts live in {@link SweepProgressEntity}. */
@Entity
@Table(name = "sweeps")
public class SweepEntity {
  public static final String ACTIVE = "ACTIVE";
  public static final String COMPLETED = "COMPLETED";
  public static final String CANCELLED = "CANCELLED";

  @Id public String id;
  public String state;

  @Column(name = "dataset_uri")
  public String datasetUri;

  public String preset;
  public int priority;

  @ColumnTransformer(write = "?::jsonb")
  public String spec;

  @Column(name = "total_jobs")
  public long totalJobs;

  /** Fan-out cursor: jobs with seq below it are on Kafka. Written by the relay only (JDBC). */
  @Column(name = "published_jobs", insertable = false, updatable = false)
  public long publishedJobs;

  /** Token name of the submitter (null when submitted without authentication). */
  @Column(name = "submitted_by", updatable = false)
  public String submittedBy;

  @Column(name = "control_pending")
  public boolean controlPending;

  @Column(name = "created_at", insertable = false, updatable = false)
  public OffsetDateTime createdAt;

  @Column(name = "cancelled_at")
  public OffsetDateTime cancelledAt;

  @Column(name = "completed_at", insertable = false, updatable = false)
  public OffsetDateTime completedAt;
}

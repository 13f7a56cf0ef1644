package dev.shadowfleet.coordinator.sweep;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Per-sweep job counts. */
@ApplicationScoped
public class SweepProgressRepository implements PanacheRepositoryBase<SweepProgressEntity, String> {}

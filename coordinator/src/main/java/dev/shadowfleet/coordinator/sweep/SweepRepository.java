package dev.shadowfleet.coordinator.sweep;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Sweeps. */
@ApplicationScoped
public class SweepRepository implements PanacheRepositoryBase<SweepEntity, String> {}

package dev.shadowfleet.coordinator.sweep;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Registered models. */
@ApplicationScoped
public class ModelRepository implements PanacheRepositoryBase<ModelEntity, String> {}

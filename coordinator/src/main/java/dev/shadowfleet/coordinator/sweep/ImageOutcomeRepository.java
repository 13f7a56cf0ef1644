package dev.shadowfleet.coordinator.sweep;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Best outcomes per image (read side; the ingestion writes them). */
@ApplicationScoped
public class ImageOutcomeRepository
    implements PanacheRepositoryBase<ImageOutcomeEntity, ImageOutcomeEntity.Key> {}

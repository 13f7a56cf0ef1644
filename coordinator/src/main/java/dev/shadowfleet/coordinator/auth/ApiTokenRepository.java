package dev.shadowfleet.coordinator.auth;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ApiTokenRepository implements PanacheRepositoryBase<ApiTokenEntity, String> {}

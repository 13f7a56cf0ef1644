package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.auth.Roles;
import dev.shadowfleet.coordinator.sweep.CompareService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Sweeps side by side, e.g. the 1-channel and the 3-channel attack on the same images and models. */
@Path("/api/compare")
@Tag(name = "results")
@RolesAllowed(Roles.VIEWER)
public class CompareResource {
  private final CompareService compare;

  public CompareResource(CompareService compare) {
    this.compare = compare;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Compare 2–8 sweeps (?sweeps=a,b): each one's preset and channel mode with Table 1 / Table 2 per model, and per model the first sweep against each other one on the images both certified (success counts, mean attack radius and its mean paired difference)")
  public CompareViews.Comparison compare(@QueryParam("sweeps") String sweeps) {
    return compare.compare(sweeps);
  }
}

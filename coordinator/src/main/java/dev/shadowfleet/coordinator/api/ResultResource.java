package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.sweep.OutcomeQuery;
import dev.shadowfleet.coordinator.sweep.ResultService;
import dev.shadowfleet.coordinator.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Results of a sweep the way researchers read them: summaries, one image, CSV export, stored PNGs. */
@Path("/api/sweeps")
@Tag(name = "results")
@RolesAllowed(Roles.VIEWER)
public class ResultResource {
  private final ResultService results;

  public ResultResource(ResultService results) {
    this.results = results;
  }

  @GET
  @Path("/{id}/summary")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Per model: Table 1 (mean/stddev of natural and Shadow Attack radius, success rate over non-abstained images), Table 2 (robust and attack error), success rate by target class, radius histograms")
  public ResultViews.Summary summary(@PathParam("id") String id) {
    return results.summary(id);
  }

  @GET
  @Path("/{id}/images/{model}/{index}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "One image: natural certificate, every target's job and result, the best outcome, its images (base64 PNGs) when stored")
  public ResultViews.ImageDetail image(
      @PathParam("id") String id, @PathParam("model") String model, @PathParam("index") String index) {
    return results.image(id, model, imageIndex(index));
  }

  @GET
  @Path("/{id}/images/{model}/{index}/{kind}.png")
  @Produces("image/png")
  @Operation(summary = "A stored PNG (natural, perturbation, adversarial) of the image's best outcome, or of one target's result with ?target=")
  public Response png(
      @PathParam("id") String id, @PathParam("model") String model, @PathParam("index") String index,
      @PathParam("kind") String kind, @QueryParam("target") String target) {
    Integer t = null;
    if (target != null) {
      try {
        t = Integer.valueOf(target);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("target", "`target` must be a class index, got " + target);
      }
    }
    byte[] png = results.png(id, model, imageIndex(index), kind, t);
    return Response.ok(png, "image/png").header("Cache-Control", "max-age=3600").build();
  }

  @GET
  @Path("/{id}/outcomes.csv")
  @Produces("text/csv")
  @Operation(summary = "Every best outcome of the sweep as CSV (same filters and sort as /outcomes), streamed")
  public Response csv(
      @PathParam("id") String id,
      @QueryParam("model") String model,
      @QueryParam("success") String success,
      @QueryParam("label") String label,
      @QueryParam("sort") String sort) {
    OutcomeQuery q = OutcomeQuery.parse(id, model, success, label, sort);
    results.requireSweep(id);
    StreamingOutput body = out -> results.writeCsv(q, out);
    return Response.ok(body, "text/csv")
        .header("Content-Disposition", "attachment; filename=\"" + id + "-outcomes.csv\"")
        .build();
  }

  private static int imageIndex(String index) {
    try {
      int i = Integer.parseInt(index);
      if (i >= 0) {
        return i;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiException.badRequest("index", "`index` must be an image index (an integer ≥ 0), got " + index);
  }
}

package dev.shadowfleet.coordinator.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a request whose {@code Content-Length} exceeds {@code quarkus.http.limits.max-body-size}
 * with 413 and the usual JSON error body, before anything reads it (Quarkus' own check, which runs
 * next, answers with an empty body). A chunked body without a length that grows past the limit is
 * still cut off by Quarkus with a bare 413.
 */
@ApplicationScoped
public class BodySizeLimit {
  private final Optional<MemorySize> limit;

  public BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> limit) {
    this.limit = limit;
  }

  void install(@Observes Router router) {
    if (limit.isEmpty()) {
      return;
    }
    long max = limit.get().asLongValue();
    String body = "{\"status\":413,\"field\":\"$\",\"message\":\"the body is larger than the limit of " + max
        + " bytes (quarkus.http.limits.max-body-size)\"}";
    router.route().order(-3).handler(ctx -> {
      String length = ctx.request().getHeader("Content-Length");
      if (length != null) {
        try {
          if (Long.parseLong(length.trim()) > max) {
            ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close").end(body);
            return;
          }
        } catch (NumberFormatException e) {
          // Vert.x refuses a malformed length itself
        }
      }
      ctx.next();
    });
  }
}

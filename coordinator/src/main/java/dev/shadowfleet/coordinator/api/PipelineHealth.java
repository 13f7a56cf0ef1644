package dev.shadowfleet.coordinator.api;

import dev.shadowfleet.coordinator.ingest.ResultIngestor;
import dev.shadowfleet.coordinator.sweep.CoordinatorConfig;
import dev.shadowfleet.coordinator.sweep.FanoutRelay;
import dev.shadowfleet.coordinator.sweep.KafkaClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Health: liveness = the relay and ingestion threads run (a dead one needs a restart); readiness =
 * the Kafka cluster answers (PostgreSQL's readiness check comes with the datasource).
 */
@ApplicationScoped
public class PipelineHealth {
  private final FanoutRelay relay;
  private final ResultIngestor ingestor;
  private final KafkaClients kafka;
  private final CoordinatorConfig config;
  private volatile Admin admin;

  public PipelineHealth(FanoutRelay relay, ResultIngestor ingestor, KafkaClients kafka, CoordinatorConfig config) {
    this.relay = relay;
    this.ingestor = ingestor;
    this.kafka = kafka;
    this.config = config;
  }

  @Produces
  @Liveness
  HealthCheck threads() {
    return () -> {
      boolean relayOk = !config.relay().enabled() || relay.isAlive();
      boolean ingestOk = !config.ingest().enabled() || ingestor.isAlive();
      return HealthCheckResponse.named("shadowfleet-pipeline")
          .status(relayOk && ingestOk)
          .withData("relay", relayOk)
          .withData("ingestion", ingestOk)
          .withData("resultsLag", ingestor.lag())
          .build();
    };
  }

  @Produces
  @Readiness
  HealthCheck kafka() {
    return () -> {
      try {
        int nodes = admin().describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
        return HealthCheckResponse.named("kafka").up().withData("brokers", nodes).build();
      } catch (Exception e) {
        return HealthCheckResponse.named("kafka").down().withData("error", String.valueOf(e.getMessage())).build();
      }
    };
  }

  private Admin admin() {
    if (admin == null) {
      synchronized (this) {
        if (admin == null) {
          admin = Admin.create(kafka.admin("shadowfleet-health"));
        }
      }
    }
    return admin;
  }
}

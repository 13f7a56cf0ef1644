package dev.shadowfleet.coordinator.sweep;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** Every {@code shadowfleet.*} setting of the coordinator (application.properties says why each). */
@ConfigMapping(prefix = "shadowfleet")
public interface CoordinatorConfig {

  Kafka kafka();

  Sweep sweep();

  Relay relay();

  Ingest ingest();

  Jobs jobs();

  Auth auth();

  /** Broker address, topic creation and extra client settings (TLS/SASL). */
  interface Kafka {
    String bootstrapServers();

    @WithDefault("true")
    boolean createTopics();

    @WithDefault("1")
    short replicationFactor();

    @WithDefault("24")
    int jobPartitions();

    @WithDefault("12")
    int resultPartitions();

    /** Passed unchanged to every Kafka client. */
    Map<String, String> client();
  }

  /** Limits and cost-estimate defaults of a sweep. */
  interface Sweep {
    @WithDefault("5000000")
    long maxJobs();

    @WithDefault("100000")
    int maxImageList();

    @WithDefault("32")
    int maxModels();

    @WithDefault("30")
    double defaultJobSeconds();

    Map<String, Double> defaultJobSecondsByPreset();

    @WithDefault("20")
    long minMeasuredJobs();

    /**
     * Directories that dataset paths (folder:, cifar10:, a data directory of fashion-mnist:) must lie
     * under; unset: any absolute, normalized path.
     */
    java.util.Optional<java.util.List<String>> datasetRoots();
  }

  /** The fan-out relay. */
  interface Relay {
    @WithDefault("5000")
    int pageSize();

    @WithDefault("250ms")
    Duration idlePoll();

    @WithDefault("true")
    boolean enabled();
  }

  /** The result consumer. */
  interface Ingest {
    @WithDefault("shadowfleet-coordinator")
    String groupId();

    @WithDefault("5000")
    int maxPollRecords();

    @WithDefault("2")
    int consumers();

    @WithDefault("true")
    boolean enabled();
  }

  /** Job states the coordinator keeps by itself ({@code RunningJobReaper}). */
  interface Jobs {
    /**
     * A RUNNING job without a result whose latest started record is older than this goes back to
     * QUEUED (its worker is gone). Several times the workers' started-record refresh (1 min by
     * default), so a live worker's batch is never returned however long it computes.
     */
    @WithDefault("10m")
    Duration runningTimeout();

    /** How often RUNNING jobs are checked against {@link #runningTimeout}. */
    @WithDefault("1m")
    Duration runningCheckInterval();

    @WithDefault("true")
    boolean runningCheckEnabled();
  }

  /** Access control (API tokens; see docs/security.md). */
  interface Auth {
    /**
     * Require a token for writes. false: every caller without a token acts as an operator (tests and
     * single-user trusted setups only).
     */
    @WithDefault("true")
    boolean enabled();

    /** Reads (GET) without a token: true opens them to everyone, false requires a viewer token. */
    @WithDefault("true")
    boolean readOpen();

    /**
     * Leave bearer tokens that are not ShadowFleet tokens ({@code sf_…}) to another mechanism (OIDC via
     * quarkus-oidc, where configured) instead of refusing them.
     */
    @WithDefault("false")
    boolean oidc();
  }
}

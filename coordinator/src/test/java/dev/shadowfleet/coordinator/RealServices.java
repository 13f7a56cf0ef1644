package dev.shadowfleet.coordinator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Test resource: the coordinator under test talks to the real PostgreSQL and Kafka of {@link TestServices}. */
public class RealServices implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    return TestServices.start();
  }

  @Override
  public void stop() {
    // shared by every test class of the JVM; stopped by TestServices' shutdown hook
  }
}

/** Sweeps, models and jobs: validation, persistence, fan-out to Kafka, cost estimates. */
package dev.shadowfleet.coordinator.sweep;

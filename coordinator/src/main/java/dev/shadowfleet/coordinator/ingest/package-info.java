/** Result ingestion: the results consumer and the batched, idempotent writes of results and outcomes. */
package dev.shadowfleet.coordinator.ingest;

/** The worker's Kafka loop: consume image batches of jobs, run them, publish results, commit. */
package dev.shadowfleet.worker.loop;

/** The local launcher: Kafka and PostgreSQL child processes, coordinator and workers, the shadowfleet-local CLI. */
package dev.shadowfleet.launcher;

/** Kafka messages (job, result, failure) with their JSON codec, and the topic names. */
package dev.shadowfleet.common.message;

/** Command-line tool: attack, certify, train without Kafka. */
package dev.shadowfleet.worker.cli;

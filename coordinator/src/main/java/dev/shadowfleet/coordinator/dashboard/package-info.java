/** The dashboard served by the coordinator (pages and summary queries). */
package dev.shadowfleet.coordinator.dashboard;

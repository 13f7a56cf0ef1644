/** REST resources, request/response records, the exception mapper and health checks. */
package dev.shadowfleet.coordinator.api;

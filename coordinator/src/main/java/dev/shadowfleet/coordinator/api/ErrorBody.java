package dev.shadowfleet.coordinator.api;

/**
 * Every error the API returns.
 *
 * @param status HTTP status
 * @param field the request field to blame ({@code "$"} for the body as a whole; null when none)
 * @param message the reason, in words
 */
public record ErrorBody(int status, String field, String message) {}

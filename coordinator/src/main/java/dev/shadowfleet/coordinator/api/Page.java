package dev.shadowfleet.coordinator.api;

import java.util.List;

/** One page of a listing. */
public record Page<T>(int page, int size, long total, List<T> items) {}

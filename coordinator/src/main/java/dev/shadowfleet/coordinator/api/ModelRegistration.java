package dev.shadowfleet.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/models}: a model card (the JSON next to the model file) and the
 * file's SHA-256. Workers verify the file against it before loading.
 */
@Schema(description = "Model card JSON and the SHA-256 of the model file")
public record ModelRegistration(JsonNode card, String sha256) {}

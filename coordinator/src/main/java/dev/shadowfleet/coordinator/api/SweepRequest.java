package dev.shadowfleet.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/sweeps}. Bound as a record (never an entity); every field is checked by
 * the sweep planner before anything is stored.
 *
 * @param dataset dataset URI, e.g. {@code fashion-mnist:test}
 * @param datasetSize number of images, required for datasets the coordinator does not know
 * @param images {@code {"from": a, "to": b}} (images a … b−1) or a list of indices
 * @param models registered model ids
 * @param targets {@code "all"} (every class) or a list of target classes
 * @param preset attack preset id
 * @param overrides single attack parameters replacing the preset's
 * @param smoothing randomized-smoothing settings for smoothed models (default: the paper's)
 * @param ibp interval-bound settings for IBP models (default: IBP at the model's ε)
 * @param priority higher runs first where the fleet can choose (−100 … 100, default 0)
 * @param seed base seed of the sweep's job seeds (default: derived from the sweep id)
 */
@Schema(description = "A sweep: dataset × images × models × targets, with the attack and certifier settings")
public record SweepRequest(
    @Schema(example = "fashion-mnist:test") String dataset,
    @Schema(description = "image count; only for datasets the coordinator does not know") Long datasetSize,
    @Schema(description = "{\"from\": 0, \"to\": 100} (to exclusive) or [3, 17, 42]") JsonNode images,
    @Schema(example = "[\"fmnist-rs-0.25\"]") List<String> models,
    @Schema(description = "\"all\" or a list of classes, e.g. [1, 2]") JsonNode targets,
    @Schema(example = "quick") String preset,
    Map<String, Object> overrides,
    @Schema(description = "SmoothingParams: n0, n, alpha, batchSize, mode") JsonNode smoothing,
    @Schema(description = "IbpParams: epsilon, method, beta") JsonNode ibp,
    Integer priority,
    Long seed) {}

package dev.shadowfleet.coordinator.sweep;

import dev.shadowfleet.coordinator.api.ApiException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A validated filter and order over a sweep's best outcomes (table {@code image_outcomes}): the SQL of
 * the outcome listing and of the CSV export. Only whitelisted columns reach the SQL text; values are
 * bound as parameters.
 *
 * <p>Order: the sort column (NULLs count as the smallest value: first ascending, last descending),
 * then model, then image. The model-filtered orders are served by the primary key or the indexes of
 * {@code V3__views.sql}.
 *
 * @param sweepId the sweep
 * @param model only this model, or null
 * @param success only (un)successful images, or null
 * @param label only images of this true class, or null
 * @param sortColumn SQL column of the sort, or null for model then image
 * @param descending sort direction
 */
public record OutcomeQuery(
    String sweepId, String model, Boolean success, Integer label, String sortColumn, boolean descending) {

  /** API sort names → columns. */
  public static final Map<String, String> SORTABLE =
      Map.of(
          "imageIndex", "image_index",
          "target", "target",
          "label", "label",
          "naturalRadius", "natural_radius",
          "attackRadius", "attack_radius",
          "spoofLoss", "spoof_loss",
          "tv", "tv");

  /**
   * Parses the query parameters of the listing; a bad value is a 400 naming the parameter.
   *
   * @param sort a name of {@link #SORTABLE}, with a leading {@code -} for descending
   */
  public static OutcomeQuery parse(String sweepId, String model, String success, String label, String sort) {
    Boolean s = null;
    if (success != null) {
      if (!success.equals("true") && !success.equals("false")) {
        throw ApiException.badRequest("success", "`success` must be true or false, got " + success);
      }
      s = Boolean.valueOf(success);
    }
    Integer l = null;
    if (label != null) {
      try {
        l = Integer.valueOf(label);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("label", "`label` must be a class index (an integer ≥ 0), got " + label);
      }
      if (l < 0) {
        throw ApiException.badRequest("label", "`label` must be ≥ 0, got " + label);
      }
    }
    String column = null;
    boolean desc = false;
    if (sort != null && !sort.isEmpty()) {
      desc = sort.startsWith("-");
      String name = desc ? sort.substring(1) : sort;
      column = SORTABLE.get(name);
      if (column == null) {
        throw ApiException.badRequest(
            "sort", "`sort` must be one of " + new java.util.TreeSet<>(SORTABLE.keySet()) + " (prefix - for descending), got " + sort);
      }
    }
    if (model != null && model.isEmpty()) {
      model = null;
    }
    return new OutcomeQuery(sweepId, model, s, l, column, desc);
  }

  /** {@code WHERE …} over image_outcomes (alias-free). */
  public String where() {
    StringBuilder w = new StringBuilder(" WHERE sweep_id = ?");
    if (model != null) {
      w.append(" AND model_id = ?");
    }
    if (success != null) {
      w.append(" AND success = ?");
    }
    if (label != null) {
      w.append(" AND label = ?");
    }
    return w.toString();
  }

  /** {@code ORDER BY …}. */
  public String orderBy() {
    if (sortColumn == null) {
      return " ORDER BY model_id, image_index";
    }
    return " ORDER BY " + sortColumn + (descending ? " DESC NULLS LAST" : " ASC NULLS FIRST") + ", model_id, image_index";
  }

  /** Binds the {@link #where()} parameters from index 1; returns the next free index. */
  public int bind(PreparedStatement ps) throws SQLException {
    List<Object> values = new ArrayList<>();
    values.add(sweepId);
    if (model != null) {
      values.add(model);
    }
    if (success != null) {
      values.add(success);
    }
    if (label != null) {
      values.add(label);
    }
    int i = 1;
    for (Object v : values) {
      ps.setObject(i++, v);
    }
    return i;
  }
}

package dev.shadowfleet.coordinator.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowfleet.common.config.AttackPreset;
import dev.shadowfleet.coordinator.api.ApiException;
import dev.shadowfleet.coordinator.api.CompareViews;
import dev.shadowfleet.coordinator.api.ResultViews;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Sweeps side by side: each one's attack settings (preset, 1- or 3-channel) and Table 1 / Table 2 per model
 * (from the summaries), and, per model, the first sweep against each other one on the images both attacked
 * (success counts and mean Shadow Attack radius on exactly the same images, so a 1-channel vs 3-channel
 * difference is not a difference of image sets). Aggregates run in PostgreSQL (one join on the outcomes'
 * primary key per model).
 */
@ApplicationScoped
public class CompareService {
  /** At most this many sweeps in one comparison. */
  public static final int MAX_SWEEPS = 8;

  private final AgroalDataSource dataSource;
  private final ResultService results;
  private final ObjectMapper json;

  public CompareService(AgroalDataSource dataSource, ResultService results, ObjectMapper json) {
    this.dataSource = dataSource;
    this.results = results;
    this.json = json;
  }

  public CompareViews.Comparison compare(String sweepsParam) {
    List<String> ids = parse(sweepsParam);
    List<CompareViews.SweepSide> sides = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      for (int i = 0; i < ids.size(); i++) {
        sides.add(side(c, ids.get(i), i));
      }
      List<CompareViews.Paired> paired = new ArrayList<>();
      CompareViews.SweepSide a = sides.get(0);
      for (CompareViews.SweepSide b : sides.subList(1, sides.size())) {
        if (!a.dataset().equals(b.dataset())) {
          continue; // image indices of different datasets are different images
        }
        for (ResultViews.ModelSummary m : a.models()) {
          if (b.models().stream().anyMatch(x -> x.modelId().equals(m.modelId()))) {
            paired.add(paired(c, m.modelId(), a.sweepId(), b.sweepId()));
          }
        }
      }
      return new CompareViews.Comparison(sides, paired);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot compare sweeps " + ids, e);
    }
  }

  private static List<String> parse(String param) {
    if (param == null || param.isBlank()) {
      throw ApiException.badRequest("sweeps", "`sweeps` is required: two or more sweep ids separated by commas");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String s : param.split(",")) {
      if (!s.isBlank() && !ids.add(s.trim())) {
        throw ApiException.badRequest("sweeps", "`sweeps` names " + s.trim() + " twice");
      }
    }
    if (ids.size() < 2 || ids.size() > MAX_SWEEPS) {
      throw ApiException.badRequest("sweeps", "`sweeps` must name 2 to " + MAX_SWEEPS + " sweeps, got " + ids.size());
    }
    return List.copyOf(ids);
  }

  private CompareViews.SweepSide side(Connection c, String id, int position) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT dataset_uri, preset, state, spec::text FROM sweeps WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw ApiException.notFound("sweeps", "no sweep " + id + " (position " + position + " of `sweeps`)");
        }
        String channels;
        try {
          SweepSpec spec = json.readValue(rs.getString(4), SweepSpec.class);
          channels = AttackPreset.byId(spec.preset()).resolve(spec.overrides()).channelMode().name();
        } catch (Exception e) {
          channels = null;
        }
        List<ResultViews.ModelSummary> models = results.summary(id).models().stream()
            .map(m -> new ResultViews.ModelSummary(m.modelId(), m.kind(), m.sigma(), m.epsilon(), m.images(),
                m.abstainedImages(), m.certifiedImages(), m.successfulImages(), m.table1(), m.table2(), null, null))
            .toList();
        return new CompareViews.SweepSide(id, rs.getString(1), rs.getString(2), channels, rs.getString(3), models);
      }
    }
  }

  private static CompareViews.Paired paired(Connection c, String model, String a, String b) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT count(*), count(*) FILTER (WHERE x.success), count(*) FILTER (WHERE y.success),"
            + " count(*) FILTER (WHERE x.success AND y.success),"
            + " avg(CASE WHEN x.success THEN x.attack_radius ELSE 0 END),"
            + " avg(CASE WHEN y.success THEN y.attack_radius ELSE 0 END),"
            + " avg(CASE WHEN y.success THEN y.attack_radius ELSE 0 END - CASE WHEN x.success THEN x.attack_radius ELSE 0 END)"
            + " FROM image_outcomes x JOIN image_outcomes y"
            + " ON y.sweep_id = ? AND y.model_id = x.model_id AND y.image_index = x.image_index"
            + " WHERE x.sweep_id = ? AND x.model_id = ? AND x.natural_label >= 0 AND y.natural_label >= 0")) {
      ps.setString(1, b);
      ps.setString(2, a);
      ps.setString(3, model);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new CompareViews.Paired(model, a, b, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
            dbl(rs, 5), dbl(rs, 6), dbl(rs, 7));
      }
    }
  }

  private static Double dbl(ResultSet rs, int i) throws SQLException {
    double v = rs.getDouble(i);
    return rs.wasNull() ? null : v;
  }
}

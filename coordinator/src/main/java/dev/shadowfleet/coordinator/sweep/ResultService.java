package dev.shadowfleet.coordinator.sweep;

import dev.shadowfleet.coordinator.api.ApiException;
import dev.shadowfleet.coordinator.api.Page;
import dev.shadowfleet.coordinator.api.ResultViews;
import dev.shadowfleet.coordinator.api.Views;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Read side of the results: the per-model summaries (from {@code v_model_summary}), one image with all
 * its targets, the outcome listing with filters and sorting, the CSV export (streamed from a
 * server-side cursor) and the stored PNGs. Aggregates run in PostgreSQL; nothing loads a whole sweep.
 */
@ApplicationScoped
public class ResultService {
  /** Bins of the radius histograms. */
  public static final int HISTOGRAM_BINS = 20;

  static final String OUTCOME_COLUMNS =
      "sweep_id, model_id, image_index, best_job_id, target, status, label, success, targeted_success,"
          + " natural_label, natural_certified, natural_radius, attack_label, attack_certified, attack_radius,"
          + " attack_method, spoof_loss, tv, results";

  private final AgroalDataSource dataSource;

  public ResultService(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The paper's summaries per model of a sweep. */
  public ResultViews.Summary summary(String sweepId) {
    try (Connection c = dataSource.getConnection()) {
      requireSweep(c, sweepId);
      List<ResultViews.ModelSummary> models = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM v_model_summary WHERE sweep_id = ? ORDER BY model_id")) {
        ps.setString(1, sweepId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String model = rs.getString("model_id");
            models.add(
                new ResultViews.ModelSummary(
                    model, rs.getString("model_kind"), dbl(rs, "sigma"), dbl(rs, "epsilon"), rs.getLong("images"),
                    rs.getLong("abstained_images"), rs.getLong("certified_images"), rs.getLong("successful_images"),
                    new ResultViews.Table1(
                        dbl(rs, "natural_radius_mean"), dbl(rs, "natural_radius_stddev"), dbl(rs, "attack_radius_mean"),
                        dbl(rs, "attack_radius_stddev"), dbl(rs, "success_rate")),
                    new ResultViews.Table2(dbl(rs, "robust_error"), dbl(rs, "attack_error")),
                    null, null));
          }
        }
      }
      List<ResultViews.ModelSummary> full = new ArrayList<>();
      for (ResultViews.ModelSummary m : models) {
        full.add(
            new ResultViews.ModelSummary(
                m.modelId(), m.kind(), m.sigma(), m.epsilon(), m.images(), m.abstainedImages(), m.certifiedImages(),
                m.successfulImages(), m.table1(), m.table2(), successByTarget(c, sweepId, m.modelId()),
                histogram(c, sweepId, m.modelId())));
      }
      return new ResultViews.Summary(sweepId, full, family(full));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot summarise sweep " + sweepId, e);
    }
  }

  private static List<ResultViews.TargetRate> successByTarget(Connection c, String sweepId, String model) throws SQLException {
    List<ResultViews.TargetRate> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT target, count(*), count(*) FILTER (WHERE success) FROM job_results"
                + " WHERE sweep_id = ? AND model_id = ? AND status = 'DONE' GROUP BY target ORDER BY target")) {
      ps.setString(1, sweepId);
      ps.setString(2, model);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long jobs = rs.getLong(2);
          long ok = rs.getLong(3);
          out.add(new ResultViews.TargetRate(rs.getInt(1), jobs, ok, (double) ok / jobs));
        }
      }
    }
    return out;
  }

  /** Natural vs attack radius (failed attack = 0) over the non-abstained images, on the same bins. */
  private static ResultViews.Histogram histogram(Connection c, String sweepId, String model) throws SQLException {
    String radii =
        "SELECT natural_radius AS nat, CASE WHEN success THEN attack_radius ELSE 0 END AS att FROM image_outcomes"
            + " WHERE sweep_id = ? AND model_id = ? AND natural_label >= 0";
    double upper;
    try (PreparedStatement ps = c.prepareStatement("SELECT greatest(max(nat), max(att)) FROM (" + radii + ") r")) {
      ps.setString(1, sweepId);
      ps.setString(2, model);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        double max = rs.getDouble(1);
        upper = rs.wasNull() || max <= 0 ? 1.0 : max;
      }
    }
    Long[] nat = new Long[HISTOGRAM_BINS];
    Long[] att = new Long[HISTOGRAM_BINS];
    java.util.Arrays.fill(nat, 0L);
    java.util.Arrays.fill(att, 0L);
    String bucket = "least(width_bucket(%s, 0, ?, " + HISTOGRAM_BINS + "), " + HISTOGRAM_BINS + ") - 1";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 'n', " + bucket.formatted("nat") + " AS b, count(*) FROM (" + radii + ") r WHERE nat IS NOT NULL GROUP BY b"
                + " UNION ALL SELECT 'a', " + bucket.formatted("att") + " AS b, count(*) FROM (" + radii + ") r"
                + " WHERE att IS NOT NULL GROUP BY b")) {
      ps.setDouble(1, upper);
      ps.setString(2, sweepId);
      ps.setString(3, model);
      ps.setDouble(4, upper);
      ps.setString(5, sweepId);
      ps.setString(6, model);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          (rs.getString(1).equals("n") ? nat : att)[rs.getInt(2)] = rs.getLong(3);
        }
      }
    }
    List<Double> edges = new ArrayList<>();
    for (int i = 0; i <= HISTOGRAM_BINS; i++) {
      edges.add(upper * i / HISTOGRAM_BINS);
    }
    return new ResultViews.Histogram(edges, List.of(nat), List.of(att));
  }

  private static ResultViews.Family family(List<ResultViews.ModelSummary> models) {
    List<ResultViews.ModelSummary> ibp =
        models.stream().filter(m -> "ibp".equals(m.kind()) && m.table2().robustError() != null).toList();
    if (ibp.isEmpty()) {
      return null;
    }
    return new ResultViews.Family(
        ibp.size(), range(ibp.stream().map(m -> m.table2().robustError()).toList()),
        range(ibp.stream().map(m -> m.table2().attackError()).toList()));
  }

  private static ResultViews.Range range(List<Double> v) {
    return new ResultViews.Range(
        Collections.min(v), v.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), Collections.max(v));
  }

  /** A page of best outcomes. */
  public Page<Views.OutcomeView> outcomes(OutcomeQuery q, int page, int size) {
    try (Connection c = dataSource.getConnection()) {
      requireSweep(c, q.sweepId());
      long total;
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM image_outcomes" + q.where())) {
        q.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getLong(1);
        }
      }
      List<Views.OutcomeView> items = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(pageSql(q))) {
        int i = q.bind(ps);
        ps.setInt(i, size);
        ps.setLong(i + 1, (long) page * size);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            items.add(outcome(rs));
          }
        }
      }
      return new Page<>(page, size, total, items);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot list the outcomes of sweep " + q.sweepId(), e);
    }
  }

  /** The SQL of one page of the listing (parameters: the filter's, then limit and offset). */
  public static String pageSql(OutcomeQuery q) {
    return "SELECT " + OUTCOME_COLUMNS
        // a scalar subquery: one primary-key lookup per returned row (EXISTS may become a hashed scan)
        + ", coalesce((SELECT r.images IS NOT NULL FROM job_results r WHERE r.job_id = image_outcomes.best_job_id), false)"
        + " FROM image_outcomes" + q.where() + q.orderBy() + " LIMIT ? OFFSET ?";
  }

  /** Checks the sweep exists (404 otherwise), before a response starts streaming. */
  public void requireSweep(String sweepId) {
    try (Connection c = dataSource.getConnection()) {
      requireSweep(c, sweepId);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Header of the CSV export. */
  public static final String CSV_HEADER =
      "model_id,image_index,label,target,status,success,targeted_success,natural_label,natural_certified,"
          + "natural_radius,attack_label,attack_certified,attack_radius,attack_method,spoof_loss,tv,delta_l2,"
          + "delta_linf,results,best_job_id";

  /**
   * Writes every outcome matching {@code q} as CSV, read through a server-side cursor (a fetch size
   * in a read-only transaction), so memory stays flat whatever the sweep's size.
   */
  public void writeCsv(OutcomeQuery q, OutputStream out) {
    String sql =
        "SELECT model_id, image_index, label, target, status, success, targeted_success, natural_label,"
            + " natural_certified, natural_radius, attack_label, attack_certified, attack_radius, attack_method,"
            + " spoof_loss, tv, delta_l2, delta_linf, results, best_job_id FROM v_image_outcomes"
            + q.where() + q.orderBy();
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(2000);
        q.bind(ps);
        Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write(CSV_HEADER);
        w.write('\n');
        try (ResultSet rs = ps.executeQuery()) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              if (i > 1) {
                w.write(',');
              }
              Object v = rs.getObject(i);
              if (v != null) {
                w.write(csv(v.toString()));
              }
            }
            w.write('\n');
          }
        }
        w.flush();
      } finally {
        c.rollback();
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot export the outcomes of sweep " + q.sweepId(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** One image: every target's job (with its result when there is one), the best outcome, its images. */
  public ResultViews.ImageDetail image(String sweepId, String model, int index) {
    try (Connection c = dataSource.getConnection()) {
      requireSweep(c, sweepId);
      List<ResultViews.TargetOutcome> targets = new ArrayList<>();
      String prefix = dev.shadowfleet.common.message.Topics.key(sweepId, model, index) + "/";
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT j.target, j.id, j.state, j.reason, r.status, r.success, r.targeted_success, r.attack_label,"
                  + " r.attack_certified, r.attack_radius, r.attack_method, r.spoof_loss, r.tv, r.delta_l2, r.delta_linf,"
                  + " CASE WHEN r.job_id IS NULL THEN NULL ELSE r.images IS NOT NULL END"
                  + " FROM jobs j LEFT JOIN job_results r ON r.job_id = j.id"
                  + " WHERE j.id LIKE ? ESCAPE '\\' AND j.sweep_id = ? AND j.model_id = ? AND j.image_index = ?"
                  + " ORDER BY j.target")) {
        ps.setString(1, prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        ps.setString(2, sweepId);
        ps.setString(3, model);
        ps.setInt(4, index);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            targets.add(
                new ResultViews.TargetOutcome(
                    rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    (Boolean) rs.getObject(6), (Boolean) rs.getObject(7), (Integer) rs.getObject(8),
                    (Boolean) rs.getObject(9), dbl(rs, 10), rs.getString(11), dbl(rs, 12), dbl(rs, 13), dbl(rs, 14),
                    dbl(rs, 15), (Boolean) rs.getObject(16)));
          }
        }
      }
      if (targets.isEmpty()) {
        throw ApiException.notFound("index", "sweep " + sweepId + " has no jobs for model " + model + ", image " + index);
      }
      Views.OutcomeView best = null;
      String natural = null;
      String images = null;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT " + OUTCOME_COLUMNS.replace(", ", ", o.").replaceFirst("^", "o.")
                  + ", r.images IS NOT NULL, r.result -> 'natural', r.images FROM image_outcomes o JOIN job_results r ON r.job_id = o.best_job_id"
                  + " WHERE o.sweep_id = ? AND o.model_id = ? AND o.image_index = ?")) {
        ps.setString(1, sweepId);
        ps.setString(2, model);
        ps.setInt(3, index);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            best = outcome(rs);
            natural = rs.getString(21);
            images = rs.getString(22);
          }
        }
      }
      return new ResultViews.ImageDetail(
          sweepId, model, index, best == null ? null : best.label(), natural, best, targets, images);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read image " + index + " of sweep " + sweepId, e);
    }
  }

  /**
   * A stored PNG (natural, perturbation or adversarial) of one image's best outcome, or of one target's
   * result when {@code target} is given.
   */
  public Png png(String sweepId, String model, int index, String kind, Integer target) {
    if (!List.of("natural", "perturbation", "adversarial").contains(kind)) {
      throw ApiException.badRequest("kind", "`kind` must be natural, perturbation or adversarial, got " + kind);
    }
    String sql =
        target == null
            ? "SELECT r.images ->> ?, r.job_id FROM image_outcomes o JOIN job_results r ON r.job_id = o.best_job_id"
                + " WHERE o.sweep_id = ? AND o.model_id = ? AND o.image_index = ?"
            : "SELECT images ->> ?, job_id FROM job_results WHERE job_id = ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, kind);
      if (target == null) {
        ps.setString(2, sweepId);
        ps.setString(3, model);
        ps.setInt(4, index);
      } else {
        ps.setString(2, dev.shadowfleet.common.message.AttackJob.idOf(sweepId, model, index, target));
      }
      try (ResultSet rs = ps.executeQuery()) {
        String b64 = rs.next() ? rs.getString(1) : null;
        if (b64 == null) {
          throw ApiException.notFound("kind", "no stored " + kind + " image for " + model + "/" + index);
        }
        return new Png(Base64.getDecoder().decode(b64), rs.getString(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read an image of sweep " + sweepId, e);
    }
  }

  /**
   * A stored PNG and the job whose result it belongs to (a result, once stored, never changes: the job id
   * is a strong validator of the bytes).
   */
  public record Png(byte[] data, String jobId) {}

  private static void requireSweep(Connection c, String sweepId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM sweeps WHERE id = ?")) {
      ps.setString(1, sweepId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw ApiException.notFound("id", "no sweep " + sweepId);
        }
      }
    }
  }

  private static Views.OutcomeView outcome(ResultSet rs) throws SQLException {
    return new Views.OutcomeView(
        rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5), rs.getString(6), rs.getInt(7),
        rs.getBoolean(8), rs.getBoolean(9), (Integer) rs.getObject(10), (Boolean) rs.getObject(11), dbl(rs, 12),
        (Integer) rs.getObject(13), (Boolean) rs.getObject(14), dbl(rs, 15), rs.getString(16), dbl(rs, 17),
        dbl(rs, 18), rs.getInt(19), rs.getBoolean(20));
  }

  private static Double dbl(ResultSet rs, int i) throws SQLException {
    double v = rs.getDouble(i);
    return rs.wasNull() ? null : v;
  }

  private static Double dbl(ResultSet rs, String col) throws SQLException {
    double v = rs.getDouble(col);
    return rs.wasNull() ? null : v;
  }
}

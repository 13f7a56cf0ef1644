package dev.shadowfleet.coordinator.sweep;

import dev.shadowfleet.coordinator.api.Views;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compute-second estimates: the measured mean of finished jobs of the same model and preset (table
 * {@code job_costs}, kept by ingestion) once enough exist, else the configured per-preset default.
 */
@ApplicationScoped
public class CostEstimator {
  private final AgroalDataSource dataSource;
  private final CoordinatorConfig.Sweep config;

  public CostEstimator(AgroalDataSource dataSource, CoordinatorConfig config) {
    this.dataSource = dataSource;
    this.config = config.sweep();
  }

  /** Estimate of {@code jobsPerModel} jobs of each model in {@code models} with {@code preset}. */
  public Views.Estimate estimate(String preset, List<String> models, long jobsPerModel) {
    Map<String, double[]> measured = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT model_id, jobs, compute_seconds FROM job_costs WHERE preset = ? AND model_id = ANY (?)")) {
      ps.setString(1, preset);
      ps.setArray(2, c.createArrayOf("text", models.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          measured.put(rs.getString(1), new double[] {rs.getLong(2), rs.getDouble(3)});
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read job costs", e);
    }
    double fallback = config.defaultJobSecondsByPreset().getOrDefault(preset, config.defaultJobSeconds());
    List<Views.ModelCost> costs = new ArrayList<>();
    double total = 0;
    for (String model : models) {
      double[] m = measured.get(model);
      boolean useMeasured = m != null && m[0] >= config.minMeasuredJobs();
      double perJob = useMeasured ? m[1] / m[0] : fallback;
      costs.add(new Views.ModelCost(model, jobsPerModel, perJob, useMeasured ? "measured" : "configured", m == null ? 0 : (long) m[0]));
      total += perJob * jobsPerModel;
    }
    return new Views.Estimate(total, costs);
  }
}

package dev.shadowfleet.worker.engine.attack;

/**
 * The terms of J(δ) = L_spoof + λc·C(δ) + λtv·TV(δ) + λs·Dissim(δ) for one target, unweighted penalties
 * plus the weighted total (paper Figures 4–6 plot these).
 */
public record LossTerms(double spoof, double tv, double color, double dissim, double total) {}

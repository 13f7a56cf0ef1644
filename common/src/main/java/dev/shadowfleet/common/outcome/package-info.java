/** The best-outcome-per-image rule shared by worker, CLI and coordinator. */
package dev.shadowfleet.common.outcome;

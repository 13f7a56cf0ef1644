/** The reproduction report: outcome CSVs and attack traces in, paper-style tables and PNG plots out. */
package dev.shadowfleet.worker.report;

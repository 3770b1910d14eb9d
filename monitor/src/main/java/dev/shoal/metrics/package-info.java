/**
 * A run's metrics through Micrometer: tasks by state, attempts that failed, run times, latencies,
 * queue depth and pool size, into any {@code MeterRegistry}, and a Prometheus endpoint to scrape.
 */
package dev.shoal.metrics;

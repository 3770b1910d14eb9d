package dev.shoal.monitor;

/** The listener of a run nobody watches: executors may call it without asking whether anyone does. */
enum NoListener implements RunListener {
  INSTANCE
}

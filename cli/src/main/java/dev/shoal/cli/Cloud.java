package dev.shoal.cli;

import java.util.Locale;

/** Where a pool runs: which dispatcher's settings apply. */
enum Cloud {
  /** The Lambda's: {@code DispatcherSettings}, SQS and EC2. */
  AWS,
  /** The Function's: {@code FunctionSettings}, Service Bus and a VM scale set. */
  AZURE;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}

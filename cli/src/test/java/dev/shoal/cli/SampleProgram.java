package dev.shoal.cli;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.app.TypeRef;
import java.util.ArrayList;
import java.util.List;

/** A program as a user writes one for {@code shoal run}: its kernel from the configuration it is given. */
public final class SampleProgram {
  static final App1<Long, Long> SQUARE = Apps.define("sample.square").java(Long.class, Long.class, x -> x * x);
  static final App1<List<Long>, Long> SUM = Apps.define("sample.sum")
      .java(TypeRef.listOf(Long.class), TypeRef.of(Long.class), values -> values.stream().mapToLong(Long::longValue).sum());

  private SampleProgram() {}

  /** Squares 1..N and sums them, prints its arguments; exits with the code given second, if it is a number. */
  public static void main(String[] args) {
    int count = Integer.parseInt(args[0]);
    try (DataFlowKernel dfk = DataFlowKernel.fromConfig()) {
      List<AppFuture<Long>> squares = new ArrayList<>();
      for (long i = 1; i <= count; i++) {
        squares.add(dfk.call(SQUARE, i));
      }
      System.out.println("run " + dfk.runId() + ": sum of squares " + dfk.call(SUM, Arg.all(squares)).join());
    }
    System.out.println("arguments " + java.util.Arrays.toString(args));
    if (args.length > 1 && !args[1].startsWith("-")) {
      System.exit(Integer.parseInt(args[1]));
    }
  }
}

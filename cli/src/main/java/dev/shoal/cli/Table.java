package dev.shoal.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Rows printed in aligned columns under a header; the last column is left ragged. */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();
  private final boolean[] rightAligned;

  /** Column names; a name starting with '>' is a right-aligned (numeric) column, shown without the '>'. */
  Table(String... columns) {
    header = new ArrayList<>();
    rightAligned = new boolean[columns.length];
    for (int i = 0; i < columns.length; i++) {
      rightAligned[i] = columns[i].startsWith(">");
      header.add(rightAligned[i] ? columns[i].substring(1) : columns[i]);
    }
  }

  Table row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + header.size());
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell == null ? "-" : cell.toString());
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintStream out) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(out, header, widths);
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    out.flush();
  }

  private void line(PrintStream out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      boolean last = i == cells.size() - 1;
      if (i > 0) {
        line.append("  ");
      }
      String pad = " ".repeat(widths[i] - cell.length());
      if (rightAligned[i]) {
        line.append(pad).append(cell);
      } else {
        line.append(cell).append(last ? "" : pad);
      }
    }
    out.println(line.toString().stripTrailing());
  }

  /** At most {@code max} characters, the cut marked. */
  static String cut(String text, int max) {
    if (text == null) {
      return null;
    }
    String line = text.replace('\n', ' ').replace('\r', ' ');
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }
}

/** The shape every benchmark module returns; scripts/bench.ts collects them into BENCHMARKS.md. */
export interface BenchFigure {
  /** Which issue/area, e.g. "extraction". */
  group: string;
  /** What was measured, e.g. "candidates extraction, unthrottled". */
  name: string;
  /** The median of the runs (or the single measurement), in `unit`. */
  value: number;
  unit: string;
  /** The target as written in the issue, e.g. ">= 0.7" or "< 120 MB"; empty when informational. */
  target: string;
  /** Whether the figure meets the target (undefined when there is no target). */
  met?: boolean;
  /** Runs behind the median and any detail worth a footnote. */
  runs?: number[];
  note?: string;
}

/** A benchmark module: `export const bench: Bench`. */
export interface Bench {
  group: string;
  run(options: { quick: boolean }): Promise<BenchFigure[]>;
}

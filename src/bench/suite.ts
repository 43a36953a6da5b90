/** The contract for one benchmark suite in ./suites (one file each, run in name order). */
export interface BenchContext {
  /** A server URL; suites create (and drop) their own databases on it. */
  readonly serverUrl: string;
  readonly log: (message: string) => void;
}

export interface BenchResult {
  readonly name: string;
  /** Already formatted: `41,200 rows/s`, `0.64× COPY`. */
  readonly value: string;
  readonly goal?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export interface BenchSuite {
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

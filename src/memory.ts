/**
 * Keeps a long run's heap near its live size. V8 collects lazily: on a 100,000-record extraction
 * it let garbage from finished pages grow the heap to ~200 MB although under 40 MB was live. With
 * `--v8-flags=--expose-gc` (set by the deno tasks and baked into the compiled binary), a full
 * collection between batches of pages costs a few milliseconds and bounds peak memory. Without
 * the flag (e.g. tests that run the CLI with only permission flags) this does nothing.
 */
const gc = (globalThis as { gc?: () => void }).gc;

export function collectGarbage(): void {
  gc?.();
}

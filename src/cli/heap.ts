// V8 heap policy of `logwarden run`, set before the server allocates anything.
//
// A log server's heap is mostly messages in flight: they live long enough (queued behind a slower action, a
// batch being committed) to be promoted, then die in the old generation. With a live heap of 10-25 MB, V8's
// default growing factor (up to 4x) let the old generation fill with that garbage to 80-130 MB between two
// mark-compacts in the store ingest benchmark. A fixed factor of 2 keeps the old generation within twice what
// is live: peak RSS 332.8-342.2 → 252.0-256.0 MB in 4 alternating runs each (with the store writer thread's
// smaller young generation), rate within the run-to-run spread (bench/README.md "V8's old-generation growing
// factor"). A --heap-growing-percent of the user's own (node's command line or NODE_OPTIONS)
// is left as it is.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

/** True when the flag was set here, false when the user's own setting was kept. */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const own = (s: string): boolean => /--heap[-_]growing[-_]percent/.test(s);
  if (execArgv.some(own) || own(nodeOptions)) return false;
  // Read by V8 each time it sets the next old-generation limit, so setting it after start takes effect.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}

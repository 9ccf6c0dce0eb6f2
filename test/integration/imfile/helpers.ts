// Helpers for the imfile tests: create an imfile input over a collecting sink with a given work directory,
// and write numbered lines ("seq 000042 …") whose delivery can be checked for gaps and duplicates.
import { appendFileSync } from 'node:fs';
import type { Params } from '../../../src/config/model';
import { ImfileInput, readImfileSettings } from '../../../src/inputs/imfile/index';
import { ControlledSink } from '../inputs-helpers';
import { context, params } from '../tls-helpers';

export interface Tail {
  input: ImfileInput;
  sink: ControlledSink;
}

export async function startImfile(dataDir: string, p: Record<string, string>, mod: Record<string, string> = {}, sink = new ControlledSink()): Promise<Tail> {
  const ctx = { ...context({}), dataDir };
  const decl = { type: 'imfile', params: params(p), loc: { file: 'test.conf', line: 1, col: 1 } };
  const modParams: Params = params(mod);
  const input = new ImfileInput(readImfileSettings(decl, modParams, ctx), ctx, sink);
  await input.start();
  return { input, sink };
}

export function seqLine(i: number): string {
  return `seq ${String(i).padStart(6, '0')} payload-${i % 97}`;
}

/** Append lines [from, to) to `file` in one write. */
export function appendSeq(file: string, from: number, to: number): void {
  let s = '';
  for (let i = from; i < to; i++) s += seqLine(i) + '\n';
  appendFileSync(file, s);
}

/** Count deliveries per sequence number in `lines`; returns missing numbers and the duplicate count. */
export function seqCheck(lines: string[], total: number): { missing: number[]; duplicates: number; foreign: number } {
  const seen = new Uint32Array(total);
  let foreign = 0;
  for (const l of lines) {
    const m = /^seq (\d{6}) /.exec(l);
    if (!m || Number(m[1]) >= total) {
      foreign++;
      continue;
    }
    seen[Number(m[1])]++;
  }
  const missing: number[] = [];
  let duplicates = 0;
  for (let i = 0; i < total; i++) {
    if (seen[i] === 0) missing.push(i);
    else duplicates += seen[i] - 1;
  }
  return { missing, duplicates, foreign };
}

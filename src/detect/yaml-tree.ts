// YAML → a small positioned tree: every map key, list item and scalar keeps its file:line:col, so rule and
// Sigma validation can point at the offending text the way config diagnostics do (src/config/diagnostics.ts).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YNode } from 'yaml';
import type { SourceLoc } from '../config/model';

export type Scalar = string | number | boolean | null;

export type TNode =
  | { kind: 'map'; entries: MapEntry[]; loc: SourceLoc }
  | { kind: 'seq'; items: TNode[]; loc: SourceLoc }
  | { kind: 'scalar'; value: Scalar; loc: SourceLoc; quoted: boolean };

export interface MapEntry {
  key: string;
  keyLoc: SourceLoc;
  value: TNode;
}

export interface YamlDoc {
  root: TNode | null;
  loc: SourceLoc;
}

export interface YamlProblem {
  message: string;
  loc: SourceLoc;
}

/** Parse every document of a YAML file; syntax errors come back as problems with their position. */
export function parseYamlFile(file: string, text: string): { docs: YamlDoc[]; problems: YamlProblem[] } {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const docs: YamlDoc[] = [];
  const problems: YamlProblem[] = [];
  const at = (offset: number): SourceLoc => {
    const p = lc.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push({ message: e.message.split('\n')[0]!, loc: at(e.pos[0]) });
      continue;
    }
    const contents = doc.contents as YNode | null;
    docs.push({ root: contents === null ? null : convert(contents, at, 0), loc: at(doc.range[0]) });
  }
  return { docs, problems };
}

const MAX_DEPTH = 64;

function convert(n: unknown, at: (o: number) => SourceLoc, depth: number): TNode {
  const node = n as YNode & { range?: [number, number, number] };
  const loc = at(node?.range?.[0] ?? 0);
  if (depth > MAX_DEPTH) return { kind: 'scalar', value: null, loc, quoted: false };
  if (isAlias(node)) return { kind: 'scalar', value: null, loc, quoted: false };
  if (isMap(node)) {
    const entries: MapEntry[] = [];
    for (const pair of node.items) {
      const k = pair.key as YNode & { range?: [number, number, number] };
      const keyLoc = at(k?.range?.[0] ?? 0);
      const key = isScalar(k) ? String(k.value) : String(k);
      const value: TNode = pair.value === null || pair.value === undefined
        ? { kind: 'scalar', value: null, loc: keyLoc, quoted: false }
        : convert(pair.value, at, depth + 1);
      entries.push({ key, keyLoc, value });
    }
    return { kind: 'map', entries, loc };
  }
  if (isSeq(node)) return { kind: 'seq', items: node.items.map((i) => convert(i, at, depth + 1)), loc };
  if (isScalar(node)) {
    const v = node.value;
    const value: Scalar = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === null || v === undefined ? null : String(v);
    return { kind: 'scalar', value, loc, quoted: node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' };
  }
  return { kind: 'scalar', value: null, loc, quoted: false };
}

/** Look up a map entry by key. */
export function entry(n: TNode, key: string): MapEntry | undefined {
  return n.kind === 'map' ? n.entries.find((e) => e.key === key) : undefined;
}

/** The node's plain JS value (for metadata such as tags). */
export function plain(n: TNode): unknown {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(plain);
  const o: Record<string, unknown> = {};
  for (const e of n.entries) o[e.key] = plain(e.value);
  return o;
}

// What a detection rule sees of one message: the store's row form (same columns, same extracted fields as a
// search), built once per message and shared by every rule. Rule fields therefore equal search fields.
import type { Message } from '../message';
import { toStoredRow, type StoredRow } from '../store/backend';
import type { FieldValue } from '../parse/extract';
import { resolveField } from '../store/query/fields';
import type { FieldRef } from '../store/query/ast';

export interface DetectEvent {
  readonly msg: Message;
  readonly row: StoredRow;
  /** Event time for windows (ms): when Logwarden received it (live), or the log's timestamp (replay). */
  readonly timeMs: number;
  /** Lower-cased msg, computed lazily for free-text and Sigma keyword matching. */
  lower: string | null;
  /** Free-text tokens (FTS5 unicode61 style), computed lazily. */
  tokens: string[] | null;
}

export function toEvent(msg: Message, timeMs = msg.timegenerated.toEpochMs()): DetectEvent {
  return { msg, row: toStoredRow(msg, true), timeMs, lower: null, tokens: null };
}

export function lowerMsg(ev: DetectEvent): string {
  if (ev.lower === null) ev.lower = ev.row.msg.toLowerCase();
  return ev.lower;
}

/** FTS5 unicode61: tokens are runs of letters and digits, case-folded (diacritics kept; close enough here). */
export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function eventTokens(ev: DetectEvent): string[] {
  if (ev.tokens === null) ev.tokens = tokensOf(ev.row.msg);
  return ev.tokens;
}

/** The value of a column or extracted field; undefined when absent. */
export function refValue(ev: DetectEvent, f: FieldRef): FieldValue | undefined {
  if (f.kind === 'extracted') return ev.row.fields[f.path];
  const r = ev.row;
  switch (f.name) {
    case 'host': return r.host;
    case 'fromhost-ip': return r.fromhostIp;
    case 'app': return r.app;
    case 'procid': return r.procid;
    case 'msgid': return r.msgid;
    case 'facility': return r.facility;
    case 'severity': return r.severity;
    case 'msg': return r.msg;
    case 'raw': return r.raw ?? undefined;
    case 'structured-data': return r.structuredData;
  }
}

/** A field getter by name: a search field (host, app, json.x, …) or, via `extra`, a rule-local one. */
export type Getter = (ev: DetectEvent, local: Record<string, string> | null) => FieldValue | undefined;

export function getterFor(name: string, localNames: ReadonlySet<string>): Getter | undefined {
  if (localNames.has(name)) return (_ev, local) => local?.[name];
  const ref = resolveField(name);
  if (ref === undefined) return undefined;
  return (ev) => refValue(ev, ref);
}

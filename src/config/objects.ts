// Object parameter lists `name(p="v" q=["a","b"])` and template list bodies `{ property(…) constant(…) }`.
import type { Params, ParamValue, SourceLoc, TemplateItem } from './model';
import type { Cursor } from './cursor';
import { E } from './diagnostics';

export interface ObjectParse {
  params: Params;
  ok: boolean;
  /** Where each parameter's value starts and how long it is, for diagnostics at the value. */
  valueLen: Map<string, number>;
}

/** Parse parameters after `name(` up to and including `)`. Recovers at `)` on errors. */
export function parseParams(c: Cursor, readFile: (p: string) => string | null, objName: string): ObjectParse {
  const params: Params = new Map();
  const valueLen = new Map<string, number>();
  let ok = true;
  for (;;) {
    c.skipWs();
    const ch = c.peek();
    if (ch === ')') {
      c.pos++;
      return { params, ok, valueLen };
    }
    if (ch === '') {
      c.rep.error(E.UNBALANCED, `\`${objName}(\` is missing its closing \`)\``, c.loc(), { length: 1, hint: 'add `)`' });
      return { params, ok: false, valueLen };
    }
    const loc = c.loc();
    const name = c.readName();
    if (name === null) {
      c.rep.error(E.SYNTAX, `expected a parameter name in ${objName}(), found \`${ch}\``, loc, { length: 1 });
      skipToClose(c);
      return { params, ok: false, valueLen };
    }
    c.skipWs();
    if (c.peek() !== '=') {
      c.rep.error(E.SYNTAX, `expected \`=\` after parameter \`${name}\``, c.loc(), { length: 1, hint: `write ${name}="value"` });
      skipToClose(c);
      return { params, ok: false, valueLen };
    }
    c.pos++;
    c.skipWs();
    const vstart = c.pos;
    const value = parseValue(c, readFile, name);
    if (value === null) {
      skipToClose(c);
      return { params, ok: false, valueLen };
    }
    const key = name.toLowerCase();
    if (params.has(key)) {
      c.rep.error(E.DUPLICATE_PARAM, `parameter \`${name}\` given twice in ${objName}()`, loc, { length: name.length });
      ok = false;
    }
    params.set(key, { name, value, loc });
    valueLen.set(key, c.pos - vstart);
  }
}

function parseValue(c: Cursor, readFile: (p: string) => string | null, name: string): ParamValue | null {
  const ch = c.peek();
  if (ch === '"') return c.readQuoted();
  if (ch === '`') return c.readBacktick(readFile);
  if (ch === '[') return parseStringArray(c);
  const loc = c.loc();
  const word = /^[^\s)]*/.exec(c.text.slice(c.pos))![0];
  const hint = ch === "'" ? 'object parameters take double quotes only (as in rsyslog)' : `write ${name}="${word.replace(/'/g, '')}"`;
  c.rep.error(E.SYNTAX, `value of \`${name}\` must be a double-quoted string or an array`, loc, { length: word.length || 1, hint });
  return null;
}

function parseStringArray(c: Cursor): string[] | null {
  const start = c.loc();
  c.pos++;
  const out: string[] = [];
  for (;;) {
    c.skipWs();
    if (c.peek() === ']') {
      c.pos++;
      return out;
    }
    if (c.peek() !== '"') {
      c.rep.error(E.SYNTAX, 'array elements must be double-quoted strings', c.loc(), { length: 1 });
      return null;
    }
    const s = c.readQuoted();
    if (s === null) return null;
    out.push(s);
    c.skipWs();
    if (c.peek() === ',') c.pos++;
    else if (c.peek() !== ']') {
      c.rep.error(E.UNBALANCED, 'array is missing `,` or its closing `]`', start, { length: 1 });
      return null;
    }
  }
}

/** Skip past the `)` that closes the current object, honouring quotes; stops at end of file. */
export function skipToClose(c: Cursor): void {
  while (!c.eof()) {
    const ch = c.peek();
    if (ch === ')') {
      c.pos++;
      return;
    }
    if (ch === '"') {
      const nl = c.text.indexOf('\n', c.pos + 1);
      const q = c.text.indexOf('"', c.pos + 1);
      c.pos = q !== -1 && (nl === -1 || q < nl) ? q + 1 : nl === -1 ? c.text.length : nl;
    } else c.pos++;
  }
}

/** `{ property(name="msg") constant(value="\n") }` after a list template. */
export function parseTemplateItems(c: Cursor, readFile: (p: string) => string | null): TemplateItem[] | null {
  const open = c.loc();
  c.pos++;
  const items: TemplateItem[] = [];
  for (;;) {
    c.skipWs();
    if (c.peek() === '}') {
      c.pos++;
      return items;
    }
    const loc = c.loc();
    const word = c.readName();
    if (word === null) {
      const msg = c.eof() ? 'template body is missing its closing `}`' : `expected property() or constant(), found \`${c.peek()}\``;
      c.rep.error(c.eof() ? E.UNBALANCED : E.SYNTAX, msg, c.eof() ? open : loc, { length: 1 });
      return null;
    }
    const kind = word.toLowerCase();
    c.skipWs();
    if ((kind !== 'property' && kind !== 'constant') || c.peek() !== '(') {
      c.rep.error(E.UNKNOWN_OBJECT, `\`${word}\` is not allowed in a template body`, loc, {
        length: word.length, hint: 'a list template holds property(name=…) and constant(value=…) items',
      });
      return null;
    }
    c.pos++;
    const p = parseParams(c, readFile, kind);
    if (!p.ok) return null;
    const item = makeItem(kind, p.params, loc, c);
    if (item) items.push(item);
  }
}

function makeItem(kind: string, params: Params, loc: SourceLoc, c: Cursor): TemplateItem | null {
  const keyName = kind === 'property' ? 'name' : 'value';
  const v = params.get(keyName)?.value;
  if (typeof v !== 'string') {
    c.rep.error(E.MISSING_PARAM, `${kind}() needs ${keyName}="…"`, loc, { length: kind.length });
    return null;
  }
  const rest: Params = new Map([...params].filter(([k]) => k !== keyName));
  if (kind === 'constant') return { kind: 'constant', value: v, params: rest, loc };
  return { kind: 'property', name: v, params: rest, loc };
}

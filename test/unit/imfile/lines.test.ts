// imfile's pure pieces: line splitting at any chunk boundary (offsets included), multi-line grouping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Line, LineSplitter, type Record as Rec, RecordAssembler } from '../../../src/inputs/imfile/lines';

function split(chunks: Buffer[], max = 8192): Line[] {
  const s = new LineSplitter(0, max, false);
  const out: Line[] = [];
  for (const c of chunks) s.push(c, out);
  return out;
}

describe('LineSplitter', () => {
  it('gives the same lines and offsets however the bytes are cut', () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z é]{0,12}$/), { maxLength: 20 }), fc.array(fc.nat(300), { maxLength: 8 }), (lines, cuts) => {
      const buf = Buffer.from(lines.map((l) => l + '\n').join(''));
      const pts = [...new Set(cuts.map((c) => Math.min(c, buf.length)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of pts) { chunks.push(buf.subarray(prev, p)); prev = p; }
      chunks.push(buf.subarray(prev));
      const got = split(chunks);
      assert.deepEqual(got.map((l) => l.text), lines);
      let off = 0;
      for (let i = 0; i < lines.length; i++) {
        assert.equal(got[i].offset, off);
        off += Buffer.byteLength(lines[i]) + 1;
        assert.equal(got[i].end, off);
      }
    }));
  });

  it('drops the CR of CRLF and keeps a partial line until its LF', () => {
    const s = new LineSplitter(100, 8192, false);
    const out: Line[] = [];
    s.push(Buffer.from('a\r\nbc'), out);
    assert.deepEqual(out.map((l) => [l.text, l.offset]), [['a', 100]]);
    assert.equal(s.carryOffset, 103);
    s.push(Buffer.from('d\n'), out);
    assert.deepEqual(out.map((l) => [l.text, l.offset]), [['a', 100], ['bcd', 103]]);
    assert.equal(s.flushPartial(), null);
  });

  it('cuts over-long lines (kept as further lines, or the rest discarded)', () => {
    const keep = split([Buffer.from('abcdefgh\nxy\n')], 3);
    assert.deepEqual(keep.map((l) => l.text), ['abc', 'def', 'gh', 'xy']);
    const s = new LineSplitter(0, 3, true);
    const out: Line[] = [];
    s.push(Buffer.from('abcdefgh'), out);
    s.push(Buffer.from('ij\nxy\n'), out);
    assert.deepEqual(out.map((l) => l.text), ['abc', 'xy']);
  });
});

function assemble(o: Partial<{ readMode: number; startRegex: RegExp; endRegex: RegExp }>, lines: string[]): { recs: Rec[]; a: RecordAssembler } {
  const a = new RecordAssembler({ readMode: o.readMode ?? 0, startRegex: o.startRegex ?? null, endRegex: o.endRegex ?? null, joiner: '\n' });
  const recs: Rec[] = [];
  let off = 0;
  for (const t of lines) {
    a.add({ text: t, offset: off, end: off + t.length + 1 }, recs);
    off += t.length + 1;
  }
  return { recs, a };
}

describe('RecordAssembler', () => {
  it('joins a Java stack trace with startmsg.regex; the last record waits for the next start', () => {
    const lines = [
      '2026-01-02 03:04:05 ERROR boom',
      'java.lang.IllegalStateException: x',
      '\tat com.example.A.b(A.java:10)',
      '\tat com.example.C.d(C.java:20)',
      '2026-01-02 03:04:06 INFO ok',
    ];
    const { recs, a } = assemble({ startRegex: /^\d{4}-\d{2}-\d{2} / }, lines);
    assert.equal(recs.length, 1);
    assert.equal(recs[0].text, lines.slice(0, 4).join('\n'));
    assert.equal(recs[0].offset, 0);
    assert.equal(a.pendingOffset, lines.slice(0, 4).join('\n').length + 1);
    a.flush(recs);
    assert.equal(recs[1].text, '2026-01-02 03:04:06 INFO ok');
  });

  it('endmsg.regex, paragraph mode (1) and indented mode (2)', () => {
    assert.deepEqual(assemble({ endRegex: /;$/ }, ['a', 'b;', 'c;']).recs.map((r) => r.text), ['a\nb;', 'c;']);
    assert.deepEqual(assemble({ readMode: 1 }, ['a', 'b', '', 'c', '', '']).recs.map((r) => r.text), ['a\nb', 'c']);
    assert.deepEqual(assemble({ readMode: 2 }, ['a', ' b', '\tc', 'd', 'e']).recs.map((r) => r.text), ['a\n b\n\tc', 'd']);
  });
});

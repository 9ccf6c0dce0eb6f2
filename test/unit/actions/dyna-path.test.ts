// sanitizeDynaPath: "." and ".." segments become "_", control characters are dropped; the fast path (a name
// with neither, returned as it is) must give what the full transformation gives, for any name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sanitizeDynaPath } from '../../../src/actions/file';

/** The rule spelled out on its own, without a fast path. */
function reference(path: string): string {
  let clean = '';
  for (const ch of path) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && (c < 0x20 || c === 0x7f)) continue;
    clean += ch;
  }
  return clean.split('/').map((seg) => (seg === '..' || seg === '.' ? '_' : seg)).join('/');
}

test('examples', () => {
  assert.equal(sanitizeDynaPath('/var/log/host1/sshd.log'), '/var/log/host1/sshd.log');
  assert.equal(sanitizeDynaPath('/var/log/../etc/passwd'), '/var/log/_/etc/passwd');
  assert.equal(sanitizeDynaPath('/var/log/./x/.'), '/var/log/_/x/_');
  assert.equal(sanitizeDynaPath('/var/log/.hidden/..x'), '/var/log/.hidden/..x');
  assert.equal(sanitizeDynaPath('/var/log/h\x00o\x1bst\x7f/a.log'), '/var/log/host/a.log');
  assert.equal(sanitizeDynaPath('/var/log/.\x01./a'), '/var/log/_/a', 'a control character between dots is dropped first');
});

test('property: any name gives what the rule spelled out gives', () => {
  const part = fc.oneof(fc.constantFrom('.', '..', '/', '\x00', '\x1f', '\x7f', 'a', 'é', '/./', '/../', '.x'), fc.string({ maxLength: 4 }));
  fc.assert(fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
    const p = parts.join('');
    assert.equal(sanitizeDynaPath(p), reference(p));
  }), { numRuns: 5000 });
});

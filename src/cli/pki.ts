// `logwarden pki`: create a CA, issue certificates, make and sign requests, show certificates and fingerprints.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { initCa, issueCert, createCsr, signCsr, readCertificate, type CertUsage, DEFAULT_CA_DAYS, DEFAULT_CERT_DAYS } from '../pki/issue';
import { describeCertificate, fingerprint } from '../pki/inspect';
import { PkiError } from '../pki/errors';
import type { KeyAlgorithm } from '../pki/keys';

const USAGE = `usage: logwarden pki COMMAND [options]
  init-ca [--dir D] [--name CN] [--days ${DEFAULT_CA_DAYS}] [--rsa [2048|3072]] [--passphrase-file F] [--force]
  issue --name NAME [--dns D]... [--ip A]... [--client|--server|--both] [--days ${DEFAULT_CERT_DAYS}]
        [--ca-dir D] [--ca-passphrase-file F] [--out D] [--rsa [2048|3072]] [--passphrase-file F] [--force]
        [--not-before ISO-DATE] [--not-after ISO-DATE]
  csr --name NAME [--dns D]... [--ip A]... --key-out F --out F [--rsa [2048|3072]] [--passphrase-file F]
  sign --csr F [--out F] [--ca-dir D] [--ca-passphrase-file F] [--client|--server|--both] [--days N]
        [--dns D]... [--ip A]... [--ignore-requested-sans]
  show FILE
  fingerprint FILE [--sha1]
`;

const OPTIONS = {
  dir: { type: 'string' }, name: { type: 'string' }, days: { type: 'string' }, rsa: { type: 'boolean' },
  'rsa-bits': { type: 'string' }, 'passphrase-file': { type: 'string' }, 'ca-passphrase-file': { type: 'string' },
  dns: { type: 'string', multiple: true }, ip: { type: 'string', multiple: true }, client: { type: 'boolean' },
  server: { type: 'boolean' }, both: { type: 'boolean' }, 'ca-dir': { type: 'string' }, out: { type: 'string' },
  'key-out': { type: 'string' }, csr: { type: 'string' }, 'ignore-requested-sans': { type: 'boolean' },
  'not-before': { type: 'string' }, 'not-after': { type: 'string' }, sha1: { type: 'boolean' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function usageError(msg: string): PkiError {
  return new PkiError('LW_ERR_PKI_USAGE', msg);
}

/** `--rsa` alone means 2048; `--rsa 3072` is accepted as a following positional-looking number. */
function keyAlgorithm(v: Values, positionals: string[]): KeyAlgorithm {
  if (!v.rsa && !v['rsa-bits']) return 'ec';
  let bits = v['rsa-bits'];
  const i = positionals.findIndex((p) => p === '2048' || p === '3072');
  if (!bits && i >= 0) bits = positionals.splice(i, 1)[0];
  if (!bits || bits === '2048') return 'rsa2048';
  if (bits === '3072') return 'rsa3072';
  throw usageError(`--rsa ${bits}: only 2048 and 3072 are supported`);
}

function days(v: Values, dflt: number): number {
  if (v.days === undefined) return dflt;
  const n = Number(v.days);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`--days ${v.days}: expected a positive whole number of days`);
  return n;
}

/** Explicit validity dates (ISO 8601), e.g. to make an already-expired certificate for tests. */
function dates(v: Values): { notBefore?: Date; notAfter?: Date } {
  const out: { notBefore?: Date; notAfter?: Date } = {};
  for (const [flag, key] of [['not-before', 'notBefore'], ['not-after', 'notAfter']] as const) {
    const text = v[flag];
    if (text === undefined) continue;
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) throw usageError(`--${flag} ${text}: expected an ISO 8601 date`);
    out[key] = d;
  }
  return out;
}

function usage(v: Values): CertUsage {
  const n = Number(!!v.client) + Number(!!v.server) + Number(!!v.both);
  if (n > 1) throw usageError('choose one of --client, --server, --both');
  return v.client ? 'client' : v.server ? 'server' : 'both';
}

/** A passphrase is read from a file (first line), never from the command line where `ps` would show it. */
function passphrase(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new PkiError('LW_ERR_PKI_READ', `${file}: ${(e as Error).message}`); }
  const line = text.split(/\r?\n/, 1)[0];
  if (!line) throw usageError(`${file}: passphrase file is empty`);
  return line;
}

function need(v: string | undefined, flag: string): string {
  if (!v) throw usageError(`${flag} is required`);
  return v;
}

async function run(cmd: string, v: Values, pos: string[], out: (s: string) => void): Promise<void> {
  const alg = keyAlgorithm(v, pos);
  switch (cmd) {
    case 'init-ca': {
      const r = await initCa({ dir: v.dir ?? 'pki', name: v.name, days: days(v, DEFAULT_CA_DAYS), keyAlg: alg, passphrase: passphrase(v['passphrase-file']), overwrite: v.force });
      out(`CA certificate: ${r.certPath}\nCA key: ${r.keyPath}\n`);
      return;
    }
    case 'issue': {
      const r = await issueCert({
        name: need(v.name, '--name'), dns: v.dns, ip: v.ip, usage: usage(v), days: days(v, DEFAULT_CERT_DAYS), keyAlg: alg,
        caDir: v['ca-dir'] ?? 'pki', caPassphrase: passphrase(v['ca-passphrase-file']), outDir: v.out ?? '.',
        passphrase: passphrase(v['passphrase-file']), overwrite: v.force, ...dates(v),
      });
      out(`certificate: ${r.certPath}\nkey: ${r.keyPath}\n${fingerprint(new Uint8Array(r.cert.rawData))}\n`);
      return;
    }
    case 'csr': {
      await createCsr({ name: need(v.name, '--name'), dns: v.dns, ip: v.ip, keyAlg: alg, keyOut: need(v['key-out'], '--key-out'), out: need(v.out, '--out'), passphrase: passphrase(v['passphrase-file']), overwrite: v.force });
      out(`request: ${v.out}\nkey: ${v['key-out']}\n`);
      return;
    }
    case 'sign': {
      const csr = need(v.csr, '--csr');
      const dest = v.out ?? csr.replace(/(\.csr|\.req|\.pem)?$/, '.crt');
      const r = await signCsr({
        csrPath: csr, caDir: v['ca-dir'] ?? 'pki', caPassphrase: passphrase(v['ca-passphrase-file']), out: dest, usage: usage(v),
        days: days(v, DEFAULT_CERT_DAYS), dns: v.dns, ip: v.ip, ignoreRequestedSans: v['ignore-requested-sans'], overwrite: v.force, ...dates(v),
      });
      out(`certificate: ${r.certPath}\n${fingerprint(new Uint8Array(r.cert.rawData))}\n`);
      return;
    }
    case 'show':
      out(describeCertificate(readCertificate(need(pos[0], 'FILE'))));
      return;
    case 'fingerprint':
      out(fingerprint(new Uint8Array(readCertificate(need(pos[0], 'FILE')).rawData), v.sha1 ? 'sha1' : 'sha256') + '\n');
      return;
    default:
      throw usageError(`unknown pki command "${cmd}"`);
  }
}

/** Entry point of `logwarden pki …`; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function pkiMain(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [cmd, ...rest] = args;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { out(USAGE); return cmd ? 0 : 2; }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`logwarden pki ${cmd}: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) { out(USAGE); return 0; }
  try {
    await run(cmd, parsed.values, parsed.positionals, out);
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'LW_ERR_PKI';
    process.stderr.write(`logwarden pki ${cmd}: ${code}: ${(e as Error).message}\n`);
    return code === 'LW_ERR_PKI_USAGE' ? 2 : 1;
  }
}


// Sigma logsources and field names → Logwarden. A logsource becomes a base predicate (which messages the
// rule may look at); a field name becomes a getter over the event. Both tables are documented in
// docs/detection.md; anything outside them is refused, never guessed.
import type { DetectEvent } from '../event';
import { getterFor, refValue } from '../event';
import type { FieldValue } from '../../parse/extract';

export type SigmaGetter = (ev: DetectEvent) => FieldValue | undefined;
export type Base = (ev: DetectEvent) => boolean;

/** Programs whose messages make up a Linux auth log (/var/log/auth.log, /var/log/secure). */
const AUTH_APPS = new Set(['sshd', 'sudo', 'su', 'login', 'passwd', 'useradd', 'userdel', 'usermod', 'groupadd', 'groupdel',
  'chpasswd', 'chage', 'systemd-logind', 'polkitd', 'pkexec', 'gdm-password', 'cron', 'CRON', 'unix_chkpwd']);

const app = (ev: DetectEvent): string => ev.row.app;
const isWeb: Base = (ev) => ev.row.mayHave('nginx.') && ev.row.fields['nginx.remote_addr'] !== undefined;

export type LogsourceKind = 'linux' | 'web';
export interface Logsource {
  kind: LogsourceKind;
  base: Base;
  /** Apps the logsource is limited to (engine index), null = any. */
  apps?: string[];
  /** What the rule file said, for messages. */
  text: string;
}

/** Map a logsource, or return the reason it is refused. */
export function mapLogsource(ls: Record<string, unknown>): Logsource | string {
  const product = typeof ls.product === 'string' ? ls.product.toLowerCase() : undefined;
  const service = typeof ls.service === 'string' ? ls.service.toLowerCase() : undefined;
  const category = typeof ls.category === 'string' ? ls.category.toLowerCase() : undefined;
  const text = Object.entries(ls).filter(([k]) => k !== 'definition').map(([k, v]) => `${k}: ${String(v)}`).join(', ');
  if (category === 'webserver' || product === 'nginx' || product === 'apache') {
    if (product !== undefined && !['nginx', 'apache', 'linux'].includes(product)) return `logsource "${text}": product ${product} is not a web server Logwarden parses`;
    return { kind: 'web', base: isWeb, text };
  }
  if (product !== 'linux') return `logsource "${text}" is not supported: Logwarden maps product linux (services sshd, auth, syslog, cron, sudo) and category webserver / product nginx|apache`;
  if (category !== undefined) return `logsource "${text}": category ${category} needs endpoint telemetry (auditd, Sysmon for Linux) that syslog does not carry`;
  switch (service) {
    case undefined:
    case 'syslog':
      return { kind: 'linux', base: () => true, text };
    case 'sshd':
      return { kind: 'linux', base: (ev) => app(ev) === 'sshd', text, apps: ['sshd'] };
    case 'sudo':
      return { kind: 'linux', base: (ev) => app(ev) === 'sudo', text, apps: ['sudo'] };
    case 'cron':
      return { kind: 'linux', base: (ev) => ev.row.facility === 9 || /^(cron|crond|CRON|anacron)$/.test(app(ev)), text };
    case 'auth':
      // auth and authpriv facilities (RFC 5424 table 1: 4, 10), or a program that writes the auth log.
      return { kind: 'linux', base: (ev) => ev.row.facility === 4 || ev.row.facility === 10 || AUTH_APPS.has(app(ev)), text };
    default:
      return `logsource "${text}": service ${service} is not mapped (sshd, auth, syslog, cron, sudo)`;
  }
}

/** A field cut out of msg by a regex (first group). */
function fromMsg(re: RegExp): SigmaGetter {
  return (ev) => re.exec(ev.row.msg)?.[1];
}

function extracted(path: string): SigmaGetter {
  return (ev) => (ev.row.mayHave(path) ? ev.row.fields[path] : undefined);
}

/** The URI path without its query (IIS cs-uri-stem). */
const uriStem: SigmaGetter = (ev) => {
  const u = ev.row.fields['nginx.uri'];
  if (u === undefined) return undefined;
  const s = String(u);
  const q = s.indexOf('?');
  return q < 0 ? s : s.slice(0, q);
};
/** The query string (IIS cs-uri-query); Sigma's web rules also use it for the whole URI, so it is path+query. */
const uriFull: SigmaGetter = extracted('nginx.uri');

const WEB_FIELDS: Record<string, SigmaGetter> = {
  'c-ip': extracted('nginx.remote_addr'),
  'client_ip': extracted('nginx.remote_addr'),
  'cs-method': extracted('nginx.method'),
  'cs-uri-query': uriFull,
  'cs-uri': uriFull,
  'c-uri': uriFull,
  'url': uriFull,
  'cs-uri-stem': uriStem,
  'cs-user-agent': extracted('nginx.http_user_agent'),
  'c-useragent': extracted('nginx.http_user_agent'),
  'cs-useragent': extracted('nginx.http_user_agent'),
  'sc-status': extracted('nginx.status'),
  'cs-referrer': extracted('nginx.http_referer'),
  'cs-referer': extracted('nginx.http_referer'),
  'cs-host': extracted('nginx.host'),
  'cs-version': extracted('nginx.protocol'),
  'cs-username': extracted('nginx.remote_user'),
  'sc-bytes': extracted('nginx.body_bytes_sent'),
  'cs-body': extracted('nginx.request_body'),
  'request': extracted('nginx.request'),
};

const LINUX_FIELDS: Record<string, SigmaGetter> = {
  // PAM: "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root"
  'pam_message': fromMsg(/pam_\w+\([^)]*\):\s*([^;]+?)\s*(?:;|$)/),
  'pam_user': extracted('kv.user'),
  'pam_rhost': extracted('kv.rhost'),
  'pam_ruser': extracted('kv.ruser'),
  'pam_tty': extracted('kv.tty'),
  'logname': extracted('kv.logname'),
  // sudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id -u"
  'USER': fromMsg(/;\s*USER=([^\s;]+)/),
  'COMMAND': fromMsg(/;\s*COMMAND=(.*)$/),
  'TTY': fromMsg(/\bTTY=([^\s;]+)/),
  'PWD': fromMsg(/;\s*PWD=([^;]+?)\s*;/),
  'SUDO_USER': fromMsg(/^\s*(\S+) : /),
};

const COMMON_FIELDS: Record<string, SigmaGetter> = {
  'Hostname': (ev) => ev.row.host,
  'hostname': (ev) => ev.row.host,
  'ProcessName': (ev) => ev.row.app,
  'Application': (ev) => ev.row.app,
};

/** Map a Sigma field name; Logwarden's own search field names (host, app, json.*, kv.*, …) also work. */
export function mapField(name: string, kind: LogsourceKind): SigmaGetter | string {
  const table = kind === 'web' ? WEB_FIELDS : LINUX_FIELDS;
  const g = table[name] ?? COMMON_FIELDS[name];
  if (g !== undefined) return g;
  const own = getterFor(name, new Set());
  if (own !== undefined) return (ev) => own(ev, null);
  return `field "${name}" is not in the Sigma field map for ${kind === 'web' ? 'webserver' : 'linux'} logsources (docs/detection.md)`;
}

/** The whole-message text keywords search: msg (for web logs, the access-log line). */
export function keywordText(ev: DetectEvent): string {
  return String(refValue(ev, { kind: 'column', name: 'msg' }) ?? '');
}

export const FIELD_MAP_DOC = { web: Object.keys(WEB_FIELDS), linux: Object.keys(LINUX_FIELDS), common: Object.keys(COMMON_FIELDS) };

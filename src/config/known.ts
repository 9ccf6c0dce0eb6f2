// Name tables of the rsyslog configuration language: facilities, severities, properties, functions, modules.

/**
 * The facility names rsyslogd 8.2302 accepts in selectors (checked with `rsyslogd -N1`: audit, alert and clock
 * are NOT accepted); numbers per RFC 5424 §6.2.1 table 1. `mark` is rsyslog's internal facility 24.
 */
export const FACILITIES: ReadonlyMap<string, number> = new Map([
  ['kern', 0], ['user', 1], ['mail', 2], ['daemon', 3], ['auth', 4], ['security', 4], ['syslog', 5],
  ['lpr', 6], ['news', 7], ['uucp', 8], ['cron', 9], ['authpriv', 10], ['ftp', 11], ['ntp', 12],
  ['console', 14], ['mark', 24], ['local0', 16], ['local1', 17], ['local2', 18],
  ['local3', 19], ['local4', 20], ['local5', 21], ['local6', 22], ['local7', 23],
]);

/** Severity names incl. rsyslog's deprecated aliases (panic, error, warn); RFC 5424 §6.2.1 table 2. */
export const SEVERITIES: ReadonlyMap<string, number> = new Map([
  ['emerg', 0], ['panic', 0], ['alert', 1], ['crit', 2], ['err', 3], ['error', 3], ['warning', 4],
  ['warn', 4], ['notice', 5], ['info', 6], ['debug', 7],
]);

/** Message properties usable as `$name` and in `:name, op, "v"` filters and `property(name=…)`. */
export const PROPERTIES: ReadonlySet<string> = new Set([
  'msg', 'rawmsg', 'rawmsg-after-pri', 'hostname', 'source', 'fromhost', 'fromhost-ip', 'fromhost-port',
  'syslogtag', 'programname', 'pri', 'pri-text', 'iut', 'syslogfacility', 'syslogfacility-text',
  'syslogseverity', 'syslogseverity-text', 'syslogpriority', 'syslogpriority-text', 'timegenerated',
  'timereported', 'timestamp', 'protocol-version', 'structured-data', 'app-name', 'procid', 'msgid',
  'inputname', 'uuid', 'jsonmesg', 'parsesuccess', '$bom', '$now', '$now-utc', '$year', '$year-utc', '$month', '$month-utc',
  '$day', '$day-utc', '$hour', '$hour-utc', '$hhour', '$hhour-utc', '$qhour', '$qhour-utc', '$minute',
  '$minute-utc', '$wday', '$wday-utc', '$now-unixtimestamp', '$myhostname', '$hostname', '$uptime',
  '$!', '$.', '$/',
]);

/** RainerScript built-in functions (rsyslog 8.2302) with their allowed argument counts. */
export const FUNCTIONS: ReadonlyMap<string, [number, number]> = new Map<string, [number, number]>([
  ['strlen', [1, 1]], ['getenv', [1, 1]], ['tolower', [1, 1]], ['toupper', [1, 1]], ['cbool', [1, 1]], ['cstr', [1, 1]],
  ['cnum', [1, 1]], ['re_match', [2, 2]], ['re_match_i', [2, 2]], ['re_extract', [5, 5]],
  ['re_extract_i', [5, 5]], ['field', [3, 3]], ['exec_template', [1, 1]], ['prifilt', [1, 1]],
  ['lookup', [2, 2]], ['dyn_inc', [2, 2]], ['replace', [3, 3]], ['wrap', [2, 3]], ['random', [1, 1]],
  ['format_time', [2, 2]], ['parse_time', [1, 1]], ['is_time', [1, 2]], ['ltrim', [1, 1]], ['rtrim', [1, 1]],
  ['substring', [3, 3]], ['int2hex', [1, 1]], ['ipv42num', [1, 1]], ['ip42num', [1, 1]], ['num2ipv4', [1, 1]], ['exists', [1, 1]],
  ['script_error', [0, 0]], ['previous_action_suspended', [0, 0]], ['parse_json', [2, 2]],
  ['get_property', [2, 2]], ['hash32', [1, 2]], ['hash64', [1, 2]], ['hash32mod', [2, 3]], ['hash64mod', [2, 3]], ['http_request', [1, 1]], ['ipv4', [1, 1]], ['cnum', [1, 1]],
]);

/** Templates rsyslog defines itself (case-sensitive like rsyslog's template lookup). */
export const BUILTIN_TEMPLATES: ReadonlySet<string> = new Set([
  'RSYSLOG_TraditionalFileFormat', 'RSYSLOG_FileFormat', 'RSYSLOG_TraditionalForwardFormat',
  'RSYSLOG_ForwardFormat', 'RSYSLOG_SysklogdFileFormat', 'RSYSLOG_SyslogProtocol23Format',
  'RSYSLOG_DebugFormat', 'RSYSLOG_WallFmt', 'RSYSLOG_StdUsrMsgFmt', 'RSYSLOG_StdDBFmt',
  'RSYSLOG_StdPgSQLFmt', 'RSYSLOG_spoofadr', 'RSYSLOG_StdJSONFmt', 'RSYSLOG_omudpspoofDfltSourceTpl',
]);

/** rsyslog modules that exist upstream; one Logwarden does not implement is "not supported yet", not a typo. */
export const KNOWN_RSYSLOG_MODULES: ReadonlySet<string> = new Set([
  'imudp', 'imtcp', 'imptcp', 'imuxsock', 'imfile', 'imklog', 'imkmsg', 'imrelp', 'imjournal', 'immark',
  'impstats', 'imgssapi', 'imkafka', 'imhttp', 'imdocker', 'imbatchreport', 'improg', 'imsolaris',
  'omfile', 'omfwd', 'omusrmsg', 'ompipe', 'omdiscard', 'omrelp', 'omprog', 'omjournal', 'ommail',
  'omuxsock', 'omelasticsearch', 'omkafka', 'ommysql', 'ompgsql', 'omlibdbi', 'omhttp', 'omsnmp',
  'omudpspoof', 'omstdout', 'omtesting', 'omhiredis', 'ommongodb', 'omgssapi', 'omclickhouse',
  'mmjsonparse', 'mmnormalize', 'mmanon', 'mmfields', 'mmpstrucdata', 'mmutf8fix', 'mmsequence',
  'mmexternal', 'mmrm1stspace', 'mmdblookup', 'mmkubernetes', 'mmaudit', 'mmsnmptrapd', 'mmcount',
  'mmjsonrewrite', 'mmtaghostname', 'mmrfc5424addhmac',
  'pmrfc3164', 'pmrfc5424', 'pmlastmsg', 'pmciscoios', 'pmcisconames', 'pmaixforwardedfrom', 'pmsnare',
  'pmnormalize', 'pmnull', 'pmrfc3164sd',
  'lmnsd_gtls', 'lmnsd_ossl', 'lmnsd_ptcp', 'lmnet', 'lmnetstrms', 'lmregexp', 'lmtcpsrv', 'lmtcpclt',
  'lmzlibw', 'lmzstdw', 'fmhash', 'fmhttp', 'fmunflatten',
]);

/** Logwarden's own component names (valid in module()/action() besides the rsyslog ones). */
export const LOGWARDEN_MODULES: ReadonlySet<string> = new Set(['store', 'clickhouse']);

/** Modules accepted as a no-op with a notice, and why. */
export const NOOP_MODULES: ReadonlyMap<string, string> = new Map([
  ['imklog', 'kernel log reading is left to the host journal; Logwarden ignores imklog'],
]);

/**
 * Input modules a stock distribution config loads but Logwarden does not run: the config is accepted, `check`
 * and `run` warn that the input is skipped (LW_WARN_CONFIG_INPUT_SKIPPED), and nothing else changes.
 */
export const SKIPPED_INPUT_MODULES: ReadonlyMap<string, string> = new Map([
  ['imjournal', 'Logwarden does not read the systemd journal; this input is skipped. Let journald forward to syslog ' +
    '(ForwardToSyslog=yes) and enable imuxsock (SysSock.Use="on"), or forward with `journalctl -o json -f | logwarden send`'],
]);

/** Modules built into rsyslog's core: loading them is allowed but never required. */
export const BUILTIN_MODULES: ReadonlySet<string> = new Set([
  'omfile', 'omfwd', 'omusrmsg', 'ompipe', 'omdiscard', 'pmrfc3164', 'pmrfc5424', 'lmnet', 'lmnetstrms',
  'lmregexp', 'lmtcpsrv', 'lmtcpclt', 'lmnsd_ptcp', 'lmzlibw',
]);

/** Every name `module(load=…)` may carry, for did-you-mean. */
export function allModuleNames(): string[] {
  return [...KNOWN_RSYSLOG_MODULES, ...LOGWARDEN_MODULES];
}

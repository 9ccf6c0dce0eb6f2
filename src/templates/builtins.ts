// rsyslog's built-in templates (runtime/rsconf.c and the sm* string generators), byte for byte.
import type { SourceLoc } from '../config/model';
import type { Message } from '../message';
import type { CompiledTemplate } from '../runtime/context';
import { formatRfc3339 } from '../time';
import { format3164 } from './dates';
import { parseStringTemplate, PartsTemplate, TemplateEscape } from './compile';

const BUILTIN_LOC: SourceLoc = { file: '<builtin>', line: 0, col: 0 };
/** RFC 3164 §4.1.3: the TAG field is at most 32 characters; the forward generators cut it there. */
const FWD_TAG_MAX = 32;

/** The TAG and MSG joined as the sm* generators do: a space is inserted unless MSG already starts with one. */
function tagMsg(m: Message, tagMax: number): string {
  const tag = m.syslogtag.length > tagMax ? m.syslogtag.slice(0, tagMax) : m.syslogtag;
  return m.msg.charCodeAt(0) === 0x20 ? tag + m.msg : tag + ' ' + m.msg;
}

/** A template implemented by a fixed generator function (rsyslog's strgen modules). */
class GeneratorTemplate implements CompiledTemplate {
  constructor(readonly name: string, private readonly gen: (m: Message) => string) {}
  render(m: Message): string {
    return this.gen(m);
  }
}

/** smtradfile: "Oct 11 22:14:15 host tag: msg\n". */
const traditionalFile = (m: Message): string =>
  `${format3164(m.timereported, false)} ${m.hostname} ${tagMsg(m, Infinity)}\n`;
/** smfile: high-precision RFC 3339 timestamp. */
const fileFormat = (m: Message): string => `${formatRfc3339(m.timereported)} ${m.hostname} ${tagMsg(m, Infinity)}\n`;
/** smtradfwd: "<PRI>Oct 11 22:14:15 host tag: msg", no trailer. */
const traditionalForward = (m: Message): string =>
  `<${m.pri}>${format3164(m.timereported, false)} ${m.hostname} ${tagMsg(m, FWD_TAG_MAX)}`;
/** smfwd: as smtradfwd with an RFC 3339 timestamp. */
const forwardFormat = (m: Message): string =>
  `<${m.pri}>${formatRfc3339(m.timereported)} ${m.hostname} ${tagMsg(m, FWD_TAG_MAX)}`;

/** String-defined built-ins: [name, template text, escape]. Text is as rsyslog's C string after C unescaping. */
const STRING_BUILTINS: ReadonlyArray<[string, string, TemplateEscape]> = [
  ['RSYSLOG_DebugFormat',
    "Debug line with all properties:\nFROMHOST: '%FROMHOST%', fromhost-ip: '%fromhost-ip%', HOSTNAME: '%HOSTNAME%', " +
    "PRI: %PRI%,\nsyslogtag '%syslogtag%', programname: '%programname%', APP-NAME: '%APP-NAME%', PROCID: '%PROCID%', " +
    "MSGID: '%MSGID%',\nTIMESTAMP: '%TIMESTAMP%', STRUCTURED-DATA: '%STRUCTURED-DATA%',\nmsg: '%msg%'\n" +
    "escaped msg: '%msg:::drop-cc%'\ninputname: %inputname% rawmsg: '%rawmsg%'\n$!:%$!%\n$.:%$.%\n$/:%$/%\n\n", 'none'],
  ['RSYSLOG_SyslogProtocol23Format',
    '<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%\n', 'none'],
  ['RSYSLOG_SyslogRFC5424Format',
    '<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%', 'none'],
  ['RSYSLOG_WallFmt', '\r\n\x07Message from syslogd@%HOSTNAME% at %timegenerated% ...\r\n %syslogtag%%msg%\n\r', 'none'],
  ['RSYSLOG_StdUsrMsgFmt', ' %syslogtag%%msg%\n\r', 'none'],
  ['RSYSLOG_StdDBFmt',
    "insert into SystemEvents (Message, Facility, FromHost, Priority, DeviceReportedTime, ReceivedAt, InfoUnitID, " +
    "SysLogTag) values ('%msg%', %syslogfacility%, '%HOSTNAME%', %syslogpriority%, '%timereported:::date-mysql%', " +
    "'%timegenerated:::date-mysql%', %iut%, '%syslogtag%')", 'sql'],
  ['RSYSLOG_StdPgSQLFmt',
    "insert into SystemEvents (Message, Facility, FromHost, Priority, DeviceReportedTime, ReceivedAt, InfoUnitID, " +
    "SysLogTag) values ('%msg%', %syslogfacility%, '%HOSTNAME%', %syslogpriority%, '%timereported:::date-pgsql%', " +
    "'%timegenerated:::date-pgsql%', %iut%, '%syslogtag%')", 'stdsql'],
  ['RSYSLOG_SysklogdFileFormat', '%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%\n', 'none'],
  ['RSYSLOG_StdJSONFmt',
    '{"message":"%msg:::json%","fromhost":"%HOSTNAME:::json%","facility":"%syslogfacility-text%",' +
    '"priority":"%syslogpriority-text%","timereported":"%timereported:::date-rfc3339%",' +
    '"timegenerated":"%timegenerated:::date-rfc3339%"}', 'none'],
  ['RSYSLOG_FullJSONFmt',
    '{"message":"%msg:::json%","fromhost":"%HOSTNAME:::json%","programname":"%programname%","procid":"%PROCID%",' +
    '"msgid":"%MSGID%","facility":"%syslogfacility-text%","priority":"%syslogpriority-text%",' +
    '"timereported":"%timereported:::date-rfc3339%","timegenerated":"%timegenerated:::date-rfc3339%"}', 'none'],
  ['RSYSLOG_StdClickHouseFmt',
    'INSERT INTO rsyslog.SystemEvents (severity, facility, timestamp, hostname, tag, message) VALUES ' +
    "(%syslogseverity%, %syslogfacility%, '%timereported:::date-unixtimestamp%', '%hostname%', '%syslogtag%', '%msg%')",
    'stdsql'],
  ['RSYSLOG_omudpspoofDfltSourceTpl', '%fromhost-ip%', 'none'],
  ['RSYSLOG_PerSourceKey', '%hostname%', 'none'],
];

/**
 * All built-in templates keyed by lower-case name. rsyslog registers WallFmt, StdUsrMsgFmt, StdDBFmt,
 * StdPgSQLFmt, StdJSONFmt under internal names (" WallFmt"); Logwarden also exposes them as RSYSLOG_<name>.
 */
export function builtinTemplates(): Map<string, CompiledTemplate> {
  const map = new Map<string, CompiledTemplate>();
  const add = (t: CompiledTemplate): void => { map.set(t.name.toLowerCase(), t); };
  add(new GeneratorTemplate('RSYSLOG_TraditionalFileFormat', traditionalFile));
  add(new GeneratorTemplate('RSYSLOG_FileFormat', fileFormat));
  add(new GeneratorTemplate('RSYSLOG_TraditionalForwardFormat', traditionalForward));
  add(new GeneratorTemplate('RSYSLOG_ForwardFormat', forwardFormat));
  for (const [name, text, esc] of STRING_BUILTINS) {
    add(new PartsTemplate(name, parseStringTemplate(text, BUILTIN_LOC), esc));
  }
  return map;
}

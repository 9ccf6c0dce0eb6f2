// Legacy `$Directive value` lines: a table maps each to globals, queue, input or action-default parameters.
import type { ConfigModel, Param, Params, SourceLoc } from './model';
import { E, W, didYouMean, type Reporter } from './diagnostics';
import type { LegacyActionContext } from './legacy';

/** How a directive lowers into the model. */
type Target =
  | { to: 'global'; key: string }
  | { to: 'mainQueue'; key: string }
  /** One-shot: applies to the next legacy action, then resets (rsyslog's actionResetQueueParams). */
  | { to: 'nextAction'; key: string }
  /** Sticky for every later legacy action until changed ($ActionExecOnlyWhenPreviousIsSuspended on … off). */
  | { to: 'everyAction'; key: string }
  /** Sticky defaults for later legacy actions of one type. */
  | { to: 'actionDefault'; type: string; key: string; array?: boolean }
  | { to: 'tcpInput'; key: string; array?: boolean }
  | { to: 'udpInput'; key: string }
  | { to: 'relpInput'; key: string }
  /** `$InputFile*`: settings of the next imfile input, created by `$InputRunFileMonitor`. */
  | { to: 'fileInput'; key: string }
  | { to: 'special'; name: 'modload' | 'template' | 'include' | 'ruleset' | 'tcprun' | 'udprun' | 'relprun' | 'allowedsender' | 'outchannel' | 'filerun' }
  /** rsyslog-internal or not applicable: accepted with a notice that names why. */
  | { to: 'internal'; why: string };

const QUEUE_KEYS = [
  'Type', 'Size', 'FileName', 'MaxDiskSpace', 'MaxFileSize', 'SaveOnShutdown', 'HighWaterMark', 'LowWaterMark',
  'DiscardMark', 'DiscardSeverity', 'TimeoutEnqueue', 'TimeoutShutdown', 'TimeoutActionCompletion',
  'WorkerThreads', 'WorkerThreadMinimumMessages', 'DequeueBatchSize', 'CheckpointInterval', 'SyncQueueFiles',
  'DequeueSlowdown', 'WorkerTimeoutThreadShutdown',
];

function buildTable(): Map<string, Target> {
  const t = new Map<string, Target>();
  const g = (name: string, key: string): void => void t.set(name.toLowerCase(), { to: 'global', key });
  const internal = (why: string, ...names: string[]): void => {
    for (const n of names) t.set(n.toLowerCase(), { to: 'internal', why });
  };
  for (const k of QUEUE_KEYS) {
    t.set(`actionqueue${k.toLowerCase()}`, { to: 'nextAction', key: `queue.${k}` });
    t.set(`mainmsgqueue${k.toLowerCase()}`, { to: 'mainQueue', key: `queue.${k}` });
  }
  t.set('actionresumeretrycount', { to: 'nextAction', key: 'action.resumeRetryCount' });
  t.set('actionresumeinterval', { to: 'nextAction', key: 'action.resumeInterval' });
  // sticky, not one-shot: rsyslog's failover recipe turns it on before the `&` lines and off after them
  t.set('actionexeconlywhenpreviousissuspended', { to: 'everyAction', key: 'action.execOnlyWhenPreviousIsSuspended' });
  // rsyslog resets the every-n-th settings after each legacy action, but not the interval (action.c addAction)
  t.set('actionexeconlyonceeveryinterval', { to: 'everyAction', key: 'action.execOnlyOnceEveryInterval' });
  t.set('actionexeconlyeverynthtime', { to: 'nextAction', key: 'action.execOnlyEveryNthTime' });
  t.set('actionexeconlyeverynthtimetimeout', { to: 'nextAction', key: 'action.execOnlyEveryNthTimeTimeout' });
  t.set('actionfiledefaulttemplate', { to: 'actionDefault', type: 'omfile', key: 'template' });
  t.set('actionforwarddefaulttemplate', { to: 'actionDefault', type: 'omfwd', key: 'template' });
  t.set('actionsendstreamdriver', { to: 'actionDefault', type: 'omfwd', key: 'StreamDriver' });
  t.set('actionsendstreamdrivermode', { to: 'actionDefault', type: 'omfwd', key: 'StreamDriverMode' });
  t.set('actionsendstreamdriverauthmode', { to: 'actionDefault', type: 'omfwd', key: 'StreamDriverAuthMode' });
  t.set('actionsendstreamdriverpermittedpeer', { to: 'actionDefault', type: 'omfwd', key: 'StreamDriverPermittedPeers', array: true });
  t.set('actionsendresendlastmsgonreconnect', { to: 'actionDefault', type: 'omfwd', key: 'ResendLastMSGOnReconnect' });
  t.set('actionsendtcprebindinterval', { to: 'actionDefault', type: 'omfwd', key: 'RebindInterval' });
  for (const [name, key] of [['FileCreateMode', 'fileCreateMode'], ['DirCreateMode', 'dirCreateMode'], ['FileOwner', 'fileOwner'],
    ['FileGroup', 'fileGroup'], ['DirOwner', 'dirOwner'], ['DirGroup', 'dirGroup'], ['CreateDirs', 'createDirs'],
    ['FailOnChownFailure', 'failOnChownFailure'], ['ActionFileEnableSync', 'sync'], ['OMFileFlushOnTXEnd', 'flushOnTXEnd'],
    ['OMFileIOBufferSize', 'ioBufferSize'], ['DynaFileCacheSize', 'dynaFileCacheSize'], ['OMFileZipLevel', 'zipLevel']]) {
    t.set(name.toLowerCase(), { to: 'actionDefault', type: 'omfile', key });
  }
  for (const [name, key] of [['InputTCPServerStreamDriverMode', 'streamDriver.mode'],
    ['InputTCPServerStreamDriverAuthMode', 'streamDriver.authMode'], ['InputTCPServerBindRuleset', 'ruleset'],
    ['InputTCPMaxSessions', 'maxSessions'], ['InputTCPServerSupportOctetCountedFraming', 'supportOctetCountedFraming'],
    ['InputTCPServerInputName', 'name'], ['InputTCPServerAddtlFrameDelimiter', 'addtlFrameDelimiter'],
    ['InputTCPServerKeepAlive', 'keepAlive']]) {
    t.set(name.toLowerCase(), { to: 'tcpInput', key });
  }
  t.set('inputtcpserverstreamdriverpermittedpeer', { to: 'tcpInput', key: 'permittedPeer', array: true });
  for (const [name, key] of [['InputFileName', 'File'], ['InputFileTag', 'Tag'], ['InputFileStateFile', 'StateFile'],
    ['InputFileSeverity', 'Severity'], ['InputFileFacility', 'Facility'], ['InputFileReadMode', 'ReadMode'],
    ['InputFilePersistStateInterval', 'PersistStateInterval'], ['InputFileBindRuleset', 'ruleset']]) {
    t.set(name.toLowerCase(), { to: 'fileInput', key });
  }
  t.set('inputudpserverbindruleset', { to: 'udpInput', key: 'ruleset' });
  t.set('udpserveraddress', { to: 'udpInput', key: 'address' });
  t.set('inputudpserverinputname', { to: 'udpInput', key: 'name' });
  t.set('inputrelpserverbindruleset', { to: 'relpInput', key: 'ruleset' });
  const specials: Array<[string, Extract<Target, { to: 'special' }>['name']]> = [['ModLoad', 'modload'],
    ['template', 'template'], ['IncludeConfig', 'include'], ['RuleSet', 'ruleset'], ['InputTCPServerRun', 'tcprun'],
    ['UDPServerRun', 'udprun'], ['InputUDPServerRun', 'udprun'], ['InputRELPServerRun', 'relprun'], ['AllowedSender', 'allowedsender'], ['outchannel', 'outchannel'],
    ['InputRunFileMonitor', 'filerun']];
  for (const [n, name] of specials) t.set(n.toLowerCase(), { to: 'special', name });
  g('DefaultNetstreamDriver', 'defaultNetstreamDriver');
  g('DefaultNetstreamDriverCAFile', 'defaultNetstreamDriverCAFile');
  g('DefaultNetstreamDriverCertFile', 'defaultNetstreamDriverCertFile');
  g('DefaultNetstreamDriverKeyFile', 'defaultNetstreamDriverKeyFile');
  g('DefaultNetstreamDriverCRLFile', 'defaultNetstreamDriverCRLFile');
  g('WorkDirectory', 'workDirectory');
  g('MaxMessageSize', 'maxMessageSize');
  g('PreserveFQDN', 'preserveFQDN');
  g('LocalHostName', 'localHostname');
  g('EscapeControlCharactersOnReceive', 'parser.escapeControlCharactersOnReceive');
  g('ControlCharacterEscapePrefix', 'parser.controlCharacterEscapePrefix');
  g('EscapeControlCharacterTab', 'parser.escapeControlCharacterTab');
  g('DropTrailingLFOnReceive', 'parser.dropTrailingLFOnReception');
  g('DropTrailingLFOnReception', 'parser.dropTrailingLFOnReception'); // rsyslog's spelling
  g('Escape8BitCharactersOnReceive', 'escape8BitCharactersOnReceive'); // global(parser.escape8BitCharactersOnReceive=) too
  g('SpaceLFOnReceive', 'parser.spaceLFOnReceive');
  g('RepeatedMsgReduction', 'repeatedMsgReduction');
  g('PrivDropToUser', 'privDrop.user.name');
  g('PrivDropToUserID', 'privDrop.user.id');
  g('PrivDropToGroup', 'privDrop.group.name');
  g('PrivDropToGroupID', 'privDrop.group.id');
  g('Umask', 'umask');
  g('AbortOnUncleanConfig', 'abortOnUncleanConfig');
  g('MaxOpenFiles', 'maxOpenFiles');
  g('NetstreamDriverCaExtraFiles', 'netstreamDriverCAExtraFiles');
  internal('not applicable: Logwarden has no rsyslog debug machinery', 'DebugLevel', 'DebugPrintCFSyslineHandlerList',
    'DebugPrintModuleList', 'DebugPrintTemplateList', 'ResetConfigVariables');
  internal('rsyslog threading/tuning knob with no Logwarden equivalent', 'OptimizeForUniprocessor', 'MainMsgQueueImmediateShutdown',
    'ActionName', 'ActionWriteAllMarkMessages', 'MarkMessagePeriod', 'GenerateConfigGraph', 'ModDir', 'ErrorMessagesToStderr',
    'LogRSyslogStatusMessages', 'DefaultRuleset', 'RulesetParser', 'RulesetCreateMainQueue', 'Sleep', 'IMUXSockRateLimitInterval',
    'SystemLogRateLimitInterval', 'SystemLogRateLimitBurst', 'OmitLocalLogging', 'SystemLogSocketName', 'IMJournalStateFile',
    'IMJournalIgnorePreviousMessages', 'KLogPermitNonKernelFacility', 'KLogPath', 'ActionFileEnableSync_',
    'InputFilePollInterval');
  return t;
}

export const DIRECTIVES: ReadonlyMap<string, Target> = buildTable();

/** Handlers for directives that need the parser (modules, templates, includes, rulesets, inputs). */
export interface DirectiveHost {
  model: ConfigModel;
  rep: Reporter;
  loadModule(name: string, loc: SourceLoc): void;
  legacyTemplate(args: string, loc: SourceLoc, argCol: number): void;
  include(path: string, loc: SourceLoc, argCol: number): void;
  switchRuleset(name: string, loc: SourceLoc): void;
}

function setParam(params: Params, key: string, value: string | string[], loc: SourceLoc): void {
  params.set(key.toLowerCase(), { name: key, value, loc });
}

/** Legacy state between directives and the legacy actions and inputs they configure. */
export class LegacyState implements LegacyActionContext {
  private readonly outchannels = new Map<string, Outchannel>();
  private next: Params = new Map();
  private readonly sticky = new Map<string, Params>();
  private readonly every: Params = new Map();
  private tcp: Params = new Map();
  private udp: Params = new Map();
  private relp: Params = new Map();
  private file: Params = new Map();

  /**
   * `$ActionFileDefaultTemplate` / `$ActionForwardDefaultTemplate` as set so far: rsyslog's omfile/omfwd use it
   * for every later action without template= — RainerScript action() too — unless module(load=… template=…).
   */
  defaultTemplate(type: string): Param | undefined {
    return this.sticky.get(type)?.get('template');
  }

  defaults(type: string): Params {
    const out: Params = new Map(this.sticky.get(type) ?? []);
    for (const [k, v] of this.every) out.set(k, v);
    for (const [k, v] of this.next) out.set(k, v);
    this.next = new Map();
    return out;
  }

  /** Apply one `$Name value` line (text after the `$`). */
  apply(line: string, loc: SourceLoc, host: DirectiveHost): void {
    const m = /^([A-Za-z0-9_]+)[ \t]*(.*?)[ \t]*$/.exec(line);
    const name = m ? m[1] : line;
    const rawArg = m ? m[2] : '';
    const argCol = loc.col + 1 + line.indexOf(rawArg, name.length);
    const arg = rawArg.replace(/[ \t]+#.*$/, '');
    const target = DIRECTIVES.get(name.toLowerCase());
    if (target === undefined) {
      host.rep.error(E.UNKNOWN_DIRECTIVE, `unknown directive \`$${name}\``, loc, {
        length: name.length + 1, hint: didYouMean(name, directiveNames()) ?? 'see docs/config.md for the supported $-directives',
      });
      return;
    }
    if (target.to === 'internal') {
      host.rep.warn(W.NO_EFFECT, `\`$${name}\` is accepted but has no effect in Logwarden: ${target.why}`, loc, { length: name.length + 1 });
      return;
    }
    if (target.to === 'special' && target.name === 'filerun') return this.addFileInput(host, loc);
    if (arg === '' && target.to !== 'special') {
      host.rep.error(E.MISSING_PARAM, `\`$${name}\` needs a value`, loc, { length: name.length + 1 });
      return;
    }
    const aloc = { ...loc, col: argCol };
    switch (target.to) {
      case 'global': return setParam(host.model.globals, target.key, arg, aloc);
      case 'mainQueue': return setParam(host.model.mainQueue, target.key, arg, aloc);
      case 'nextAction': return setParam(this.next, target.key, arg, aloc);
      case 'everyAction': return setParam(this.every, target.key, arg, aloc);
      case 'actionDefault': return this.setSticky(target.type, target.key, arg, aloc, target.array === true);
      case 'tcpInput': return addOrSet(this.tcp, target.key, arg, aloc, target.array === true);
      case 'udpInput': return setParam(this.udp, target.key, arg, aloc);
      case 'relpInput': return setParam(this.relp, target.key, arg, aloc);
      case 'fileInput': return setParam(this.file, target.key, arg, aloc);
      case 'special': return this.special(target.name, name, arg, loc, aloc, host);
    }
  }

  private setSticky(type: string, key: string, value: string, loc: SourceLoc, array: boolean): void {
    let p = this.sticky.get(type);
    if (!p) this.sticky.set(type, (p = new Map()));
    addOrSet(p, key, value, loc, array);
  }

  private special(kind: string, name: string, arg: string, loc: SourceLoc, aloc: SourceLoc, host: DirectiveHost): void {
    if (arg === '') {
      host.rep.error(E.MISSING_PARAM, `\`$${name}\` needs a value`, loc, { length: name.length + 1 });
      return;
    }
    switch (kind) {
      case 'modload': return host.loadModule(arg, aloc);
      case 'template': return host.legacyTemplate(arg, loc, aloc.col);
      case 'include': return host.include(arg, loc, aloc.col);
      case 'ruleset': return host.switchRuleset(arg, aloc);
      case 'tcprun': return this.addInput(host, 'imtcp', this.tcp, arg, aloc);
      case 'udprun': return this.addInput(host, 'imudp', this.udp, arg, aloc);
      case 'relprun': return this.addInput(host, 'imrelp', this.relp, arg, aloc);
      case 'allowedsender': return this.allowedSender(host, arg, aloc);
      case 'outchannel': return this.defineOutchannel(host, arg, aloc);
    }
  }

  /** `$InputTCPServerRun 514` / `$UDPServerRun 514`: an input with the settings collected so far. */
  private addInput(host: DirectiveHost, type: string, pending: Params, port: string, loc: SourceLoc): void {
    const n = Number(port);
    if (!/^[0-9]+$/.test(port) || n < 1 || n > 65535) {
      host.rep.error(E.BAD_PORT, `invalid port \`${port}\``, loc, { length: port.length, hint: 'a port is a number from 1 to 65535' });
      return;
    }
    const params: Params = new Map(pending);
    setParam(params, 'port', port, loc);
    host.model.inputs.push({ type, params, loc });
  }

  outchannel(name: string): Outchannel | undefined {
    return this.outchannels.get(name.toLowerCase());
  }

  /** `$outchannel name,file,max-size[,command]` (rsyslog outchannel.c): used by `:omfile:$name`. */
  private defineOutchannel(host: DirectiveHost, arg: string, loc: SourceLoc): void {
    const m = /^([^,\s]+)\s*,\s*([^,]+?)\s*(?:,\s*([0-9]+[kmg]?)\s*(?:,\s*(.*?))?)?\s*$/i.exec(arg);
    if (!m) {
      host.rep.error(E.BAD_VALUE, '`$outchannel` needs `name,file[,max-size[,command]]`', loc, { length: arg.length });
      return;
    }
    this.outchannels.set(m[1].toLowerCase(), { name: m[1], file: m[2], maxSize: m[3], command: m[4] || undefined, loc });
  }

  /** `$InputRunFileMonitor`: an imfile input from the `$InputFile*` lines before it; they apply to it only. */
  private addFileInput(host: DirectiveHost, loc: SourceLoc): void {
    if (!this.file.has('file')) {
      host.rep.error(E.MISSING_PARAM, '`$InputRunFileMonitor` needs a `$InputFileName` before it', loc, { length: '$InputRunFileMonitor'.length });
      return;
    }
    host.model.inputs.push({ type: 'imfile', params: this.file, loc });
    this.file = new Map();
  }

  /** `$AllowedSender UDP, 192.0.2.0/24, [::1]/128` → globals `allowedSender.udp` (an array). */
  private allowedSender(host: DirectiveHost, arg: string, loc: SourceLoc): void {
    const parts = arg.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const proto = (parts.shift() ?? '').toLowerCase();
    if (!['udp', 'tcp', 'gss'].includes(proto) || parts.length === 0) {
      host.rep.error(E.BAD_VALUE, '`$AllowedSender` needs `UDP|TCP, address[/bits], …`', loc, { length: arg.length });
      return;
    }
    const key = `allowedSender.${proto}`;
    const prev = host.model.globals.get(key.toLowerCase());
    const list = Array.isArray(prev?.value) ? prev.value : [];
    setParam(host.model.globals, key, [...list, ...parts], loc);
  }
}

/** A `$outchannel`: a file with an optional size limit and the command rsyslog runs when it is reached. */
export interface Outchannel {
  name: string;
  file: string;
  maxSize: string | undefined;
  command: string | undefined;
  loc: SourceLoc;
}

function addOrSet(params: Params, key: string, value: string, loc: SourceLoc, array: boolean): void {
  if (!array) return setParam(params, key, value, loc);
  const prev = params.get(key.toLowerCase());
  const list = Array.isArray(prev?.value) ? prev.value : [];
  setParam(params, key, [...list, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')], loc);
}

let names: string[] | null = null;
function directiveNames(): string[] {
  const display = ['ModLoad', 'template', 'IncludeConfig', 'RuleSet', 'InputTCPServerRun', 'UDPServerRun', 'WorkDirectory',
    'ActionFileDefaultTemplate', 'DefaultNetstreamDriver', 'FileCreateMode', 'DirCreateMode', 'FileOwner', 'PreserveFQDN',
    'MaxMessageSize', 'RepeatedMsgReduction', 'UDPServerAddress', 'ActionQueueType', 'MainMsgQueueType'];
  names ??= [...display, ...[...DIRECTIVES.keys()].filter((k) => !display.some((d) => d.toLowerCase() === k))];
  return names;
}

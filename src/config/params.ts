// Parameter tables that belong to rsyslog's core rather than to a component: global(), queues, action.*.
import type { ParamSpec } from '../components';

/** global() parameters rsyslog 8.2302 knows. */
export const GLOBAL_PARAMS: readonly string[] = [
  'workDirectory', 'dropMsgsWithMaliciousDNSPtrRecords', 'localHostname', 'preserveFQDN', 'defaultRuleset',
  'defaultNetstreamDriver', 'defaultNetstreamDriverCAFile', 'defaultNetstreamDriverCertFile',
  'defaultNetstreamDriverKeyFile', 'defaultNetstreamDriverCRLFile', 'netstreamDriverCAExtraFiles', 'maxMessageSize',
  'debug.onShutdown', 'debug.logFile', 'debug.gnutls', 'debug.unloadModules', 'debug.files', 'debug.whitelist',
  'processInternalMessages', 'stdlog.channelspec', 'shutdown.enable.ctlc', 'shutdown.queue.doublesize',
  'parser.controlCharacterEscapePrefix', 'parser.escapeControlCharactersOnReceive', 'parser.escapeControlCharacterTab',
  'parser.escapeControlCharactersCStyle', 'parser.escape8BitCharactersOnReceive', 'parser.dropTrailingLFOnReception', 'parser.spaceLFOnReceive',
  'parser.parseHostnameAndTag', 'parser.permitSlashInProgramName', 'parser.supportCompressionExtension',
  'senders.keepTrack', 'senders.timeoutAfter', 'senders.reportGoneAway', 'senders.reportNew', 'inputs.timeout.shutdown',
  'errorMessagesToStderr.maxNumber', 'variables.caseSensitive', 'internalmsg.ratelimit.interval',
  'internalmsg.ratelimit.burst', 'internalmsg.severity', 'environment', 'umask', 'abortOnUncleanConfig',
  'abortOnFailedQueueStartup', 'reverselookup.cache.ttl.default', 'reverselookup.cache.ttl.enable',
  'security.abortOnIDResolutionFail', 'privdrop.group.keepsupplemented', 'privdrop.group.name', 'privdrop.group.id',
  'privdrop.user.name', 'privdrop.user.id', 'net.ipprotocol', 'net.aclAddHostnameOnFail', 'net.aclResolveHostname',
  'net.enableDNS', 'net.permitACLWarning', 'defaultopensslengine', 'oversizemsg.errorfile', 'oversizemsg.report',
  'oversizemsg.input.mode', 'action.reportSuspension', 'action.reportSuspensionContinuation', 'jsonmesg.jsonparse',
  'operatingStateFile',
];

/**
 * Global settings (lower-case keys of ConfigModel.globals, from global() or $-directives) that Logwarden applies.
 * Any other global rsyslog knows is accepted with a LW_WARN_CONFIG_NO_EFFECT warning.
 */
export const GLOBALS_APPLIED: ReadonlySet<string> = new Set([
  'workdirectory', 'maxmessagesize', 'localhostname', 'preservefqdn', 'net.enabledns', 'repeatedmsgreduction',
  'defaultnetstreamdriver', 'defaultnetstreamdrivercafile', 'defaultnetstreamdrivercertfile', 'defaultnetstreamdriverkeyfile',
  'defaultnetstreamdrivercrlfile', 'allowedsender.udp', 'allowedsender.tcp', 'umask',
  'parser.controlcharacterescapeprefix', 'parser.escapecontrolcharactersonreceive', 'parser.escapecontrolcharactertab',
  'parser.escapecontrolcharacterscstyle', 'parser.droptrailinglfonreception', 'parser.spacelfonreceive',
  'parser.permitslashinprogramname', 'parser.escape8bitcharactersonreceive', 'escape8bitcharactersonreceive', 'controlcharacterescapeprefix',
  'escapecontrolcharactersonreceive', 'escapecontrolcharactertab', 'droptrailinglfonreception', 'spacelfonreceive',
]);

const Q = (name: string, type: ParamSpec['type'], doc: string, values?: string[]): ParamSpec => ({ name, type, doc, values });

/** queue.* parameters of main_queue(), action() and ruleset(). */
export const QUEUE_SPECS: readonly ParamSpec[] = [
  Q('queue.type', 'word', 'queue kind', ['FixedArray', 'LinkedList', 'Direct', 'Disk']),
  Q('queue.size', 'int', 'maximum messages in the queue'),
  Q('queue.filename', 'string', 'disk queue file prefix'),
  Q('queue.spoolDirectory', 'path', 'directory for disk queue files'),
  Q('queue.maxDiskSpace', 'size', 'disk space limit'),
  Q('queue.maxFileSize', 'size', 'size of one queue file'),
  Q('queue.saveOnShutdown', 'binary', 'persist the queue on shutdown'),
  Q('queue.highWatermark', 'int', 'start spooling to disk above this'),
  Q('queue.lowWatermark', 'int', 'stop spooling to disk below this'),
  Q('queue.fullDelaymark', 'int', 'throttle delayable inputs above this'),
  Q('queue.lightDelaymark', 'int', 'lightly throttle above this'),
  Q('queue.discardMark', 'int', 'discard messages above this'),
  Q('queue.discardSeverity', 'int', 'discard severities at or below this number'),
  Q('queue.checkpointInterval', 'int', 'fsync disk queue every n writes'),
  Q('queue.syncQueueFiles', 'binary', 'fsync queue files'),
  Q('queue.samplingInterval', 'int', 'statistics sampling'),
  Q('queue.workerThreads', 'int', 'worker count'),
  Q('queue.workerThreadMinimumMessages', 'int', 'messages per extra worker'),
  Q('queue.timeoutShutdown', 'int', 'ms to wait on shutdown'),
  Q('queue.timeoutActionCompletion', 'int', 'ms to wait for an action on shutdown'),
  Q('queue.timeoutEnqueue', 'int', 'ms to block a full enqueue'),
  Q('queue.timeoutWorkerThreadShutdown', 'int', 'ms an idle worker lives'),
  Q('queue.dequeueBatchSize', 'int', 'messages per batch'),
  Q('queue.minDequeueBatchSize', 'int', 'minimum messages per batch'),
  Q('queue.minDequeueBatchSize.timeout', 'int', 'ms to wait for a minimum batch'),
  Q('queue.dequeueSlowdown', 'int', 'µs pause between dequeues'),
  Q('queue.dequeueTimeBegin', 'int', 'hour dequeuing starts'),
  Q('queue.dequeueTimeEnd', 'int', 'hour dequeuing ends'),
  Q('queue.takeFlushFromDisk', 'binary', 'compat'),
  Q('queue.cry.provider', 'string', 'queue encryption provider'),
];

export const QUEUE_PARAMS: readonly string[] = QUEUE_SPECS.map((p) => p.name);

/** Parameters every action() takes whatever its type. */
export const GENERIC_ACTION_SPECS: readonly ParamSpec[] = [
  Q('name', 'string', 'action name for statistics'),
  Q('action.writeAllMarkMessages', 'binary', 'compat'),
  Q('action.execOnlyEveryNthTime', 'int', 'run every n-th message'),
  Q('action.execOnlyEveryNthTimeTimeout', 'int', 'reset the n-th counter after seconds'),
  Q('action.errorFile', 'path', 'file for failed messages'),
  Q('action.execOnlyOnceEveryInterval', 'int', 'seconds between runs'),
  Q('action.execOnlyWhenPreviousIsSuspended', 'binary', 'failover action'),
  Q('action.repeatedMsgContainsOriginalMsg', 'binary', 'compat'),
  Q('action.resumeRetryCount', 'int', 'retries, -1 forever'),
  Q('action.resumeInterval', 'int', 'seconds between retries'),
  Q('action.resumeIntervalMax', 'int', 'maximum seconds between retries'),
  Q('action.reportSuspension', 'binary', 'log suspension'),
  Q('action.reportSuspensionContinuation', 'binary', 'log continued suspension'),
  Q('action.copyMsg', 'binary', 'copy message into the queue'),
  ...QUEUE_SPECS,
];

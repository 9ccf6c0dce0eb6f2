// Queue settings of one action, from rsyslog's `queue.*` and `action.*` parameters (and the `$ActionQueue*`
// directives, which the config layer lowers to the same names). Decided once at config load; the queue reads
// plain fields.
//
// Kinds, as rsyslog names them:
//   Direct, FixedArray, LinkedList  → 'memory': a ring in memory; above highWatermark it asks pausable inputs
//                                     (TCP, TLS, RELP, files) to wait: local backpressure, nothing is lost.
//   any of those + queue.filename   → 'disk-assisted': memory first; at highWatermark new messages spill to
//                                     disk segments (src/queue/disk/) and drain back in order. Inputs are only
//                                     asked to wait once the disk part is at queue.maxDiskSpace.
//   Disk                            → 'disk': every message goes through the disk segments.
// Network forwarding and ClickHouse are disk-assisted by default (docs/queues.md): a relay survives a receiver
// outage and its own restart. `queue.type="Direct"` (or any memory type) without a file name turns that off.
import type { Params, SourceLoc } from '../config/model';
import { getParam } from '../config/model';

export type QueueKind = 'memory' | 'disk-assisted' | 'disk';

export interface QueueOptions {
  kind: QueueKind;
  /** Messages handed to the action per deliver() call (rsyslog queue.dequeueBatchSize). */
  batchSize: number;
  /** Memory capacity (rsyslog queue.size). A memory queue refuses (and counts) beyond it. */
  maxSize: number;
  /** Memory queue: pausable inputs wait above this. Disk-assisted: spill to disk above this. */
  highWatermark: number;
  /** … inputs resume below this (memory) / the disk part is drained before memory is used again. */
  lowWatermark: number;
  /** Above this many queued messages, messages of severity ≥ discardSeverity are discarded (0: never). */
  discardMark: number;
  /** Numeric severity: messages this severity or less important are discarded above discardMark. */
  discardSeverity: number;
  /**
   * rsyslog blocks a full enqueue this long, then discards. Logwarden cannot block a socket read, so a
   * value of 0 means "never ask inputs to wait: discard (counted) when full"; any other value means the
   * inputs that can pause do pause while the queue is full.
   */
  timeoutEnqueueMs: number;
  /** Directory of the disk segments (queue.spoolDirectory, default the workDirectory). */
  spoolDirectory: string;
  /** File prefix (queue.filename). */
  fileName: string;
  maxFileSize: number;
  /** 0: unlimited. */
  maxDiskSpace: number;
  /** Persist the read position (and fsync) every N records; 0: on close and on a timer only. */
  checkpointInterval: number;
  syncQueueFiles: boolean;
  /** On stop, what is still in memory is written to the disk part (disk-backed kinds only). */
  saveOnShutdown: boolean;
  /** First retry delay after a failed batch; doubles up to retryMaxMs (rsyslog action.resumeInterval). */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Retries of one batch before it is given up (counted, logged); -1: retry for ever (Logwarden's default). */
  resumeRetryCount: number;
  /** action.errorFile: poison and given-up messages are appended here as JSON lines. */
  errorFile: string | null;
  /**
   * Spilled bytes the disk writer thread may hold unwritten before new spills wait in memory (not a config
   * parameter: a bound on the process's memory when the disk is slower than the input).
   */
  writeBacklogBytes: number;
  /**
   * Memory queue: pausable inputs also wait once the messages in memory (queued and in flight) reach this many
   * bytes, estimated as frame + MESSAGE_OVERHEAD_BYTES each, and resume below memLowWatermarkBytes (and
   * lowWatermark). Not a config parameter: a bound on RSS when an input outruns its action, whatever the
   * message size (100k queued 250-byte messages are ~100 MB of heap and buffers).
   */
  memHighWatermarkBytes: number;
  memLowWatermarkBytes: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  kind: 'memory',
  // A batch takes all that one event-loop turn queued: libuv reads up to 2 MB (~8k msgs) per socket per turn,
  // so 1024-message batches let the queue sit at its 100k high-water mark (200k-msg TCP bench: peak 100k,
  // GC 25% of CPU); with 16384 the peak was ~4k, RSS 120 MB instead of 250 MB, wall -10-15%.
  batchSize: 16384,
  maxSize: 1_000_000,
  highWatermark: 100_000,
  lowWatermark: 20_000,
  discardMark: 0,
  discardSeverity: 8,
  timeoutEnqueueMs: 2000,
  spoolDirectory: '.',
  fileName: '',
  maxFileSize: 1024 * 1024,
  maxDiskSpace: 0,
  checkpointInterval: 0,
  syncQueueFiles: false,
  saveOnShutdown: true,
  retryInitialMs: 250,
  retryMaxMs: 30_000,
  writeBacklogBytes: 64 * 1024 * 1024,
  // TLS burst bench (600k x 250 B): ~8k such messages, half a dequeue batch, still one write per read burst
  // for the file action (bench/README.md, "Memory").
  memHighWatermarkBytes: 8 * 1024 * 1024,
  memLowWatermarkBytes: 2 * 1024 * 1024,
  resumeRetryCount: -1,
  errorFile: null,
};

/** Memory part of a disk-assisted queue: small, so a down target costs little RAM before spilling. */
const DA_HIGH_WATERMARK = 10_000;
const DA_LOW_WATERMARK = 2_000;
/** Segment size of a disk-backed queue (rsyslog's default queue.maxFileSize is 1m; bigger segments mean fewer files). */
const DISK_SEGMENT_BYTES = 8 * 1024 * 1024;

/** Action types whose queue is disk-assisted unless the config says otherwise (network peers that can be down). */
const DISK_ASSISTED_BY_DEFAULT = new Set(['forward', 'omfwd', 'builtin:omfwd', 'clickhouse', 'omclickhouse', 'relp', 'omrelp']);

export class QueueConfigError extends Error {
  readonly code = 'LW_ERR_QUEUE_CONFIG';
  readonly loc: SourceLoc;
  constructor(loc: SourceLoc, message: string) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${message}`);
    this.loc = loc;
  }
}

function intParam(params: Params, name: string): number | undefined {
  const p = getParam(params, name);
  if (!p) return undefined;
  const n = typeof p.value === 'number' ? p.value : Number.parseInt(String(p.value), 10);
  if (!Number.isFinite(n)) throw new QueueConfigError(p.loc, `${p.name}="${String(p.value)}": expected a whole number`);
  return n;
}

function boolParam(params: Params, name: string): boolean | undefined {
  const p = getParam(params, name);
  if (!p) return undefined;
  if (typeof p.value === 'boolean') return p.value;
  const v = String(p.value).toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return true;
  if (['off', 'no', 'false', '0'].includes(v)) return false;
  throw new QueueConfigError(p.loc, `${p.name}="${String(p.value)}": expected on or off`);
}

function stringParam(params: Params, name: string): string | undefined {
  const p = getParam(params, name);
  return p === undefined ? undefined : String(p.value);
}

const SIZE_SUFFIX: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** rsyslog size values: "8k", "64m", plain numbers. */
export function sizeParam(params: Params, name: string): number | undefined {
  const p = getParam(params, name);
  if (!p) return undefined;
  if (typeof p.value === 'number') return p.value;
  const m = /^\s*(\d+)\s*([kmgt])?b?\s*$/i.exec(String(p.value));
  if (!m) throw new QueueConfigError(p.loc, `${p.name}="${String(p.value)}": expected a size like 512, 64k, 10m, 1g`);
  return Number(m[1]) * (m[2] ? SIZE_SUFFIX[m[2].toLowerCase()] : 1);
}

/** A file-name-safe default queue name for an action: its `name=`, or type and position. */
export function defaultQueueFileName(actionName: string): string {
  return actionName.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/**
 * Queue settings for one action. `actionType` picks the default kind; `index` (the action's position in the
 * config) and its `name=` give the default file name of a disk-backed queue, which must stay the same across
 * restarts; `workDir` is the default spool directory. Throws QueueConfigError naming the parameter.
 */
export function queueOptions(params: Params, actionType: string, index: number, workDir: string, loc: SourceLoc): QueueOptions {
  const o: QueueOptions = { ...DEFAULT_QUEUE_OPTIONS, spoolDirectory: workDir };
  const named = stringParam(params, 'name');
  const actionName = named !== undefined && named !== '' ? named : `${actionType}-${index}`;
  const typeRaw = stringParam(params, 'queue.type');
  const type = typeRaw?.toLowerCase();
  const fileName = stringParam(params, 'queue.filename');
  if (type === 'disk') o.kind = 'disk';
  else if (fileName !== undefined && fileName !== '') o.kind = 'disk-assisted';
  else if (type === undefined && DISK_ASSISTED_BY_DEFAULT.has(actionType.toLowerCase())) o.kind = 'disk-assisted';
  else o.kind = 'memory';
  if (o.kind !== 'memory') {
    o.fileName = fileName && fileName !== '' ? fileName : `lw-${defaultQueueFileName(actionName)}`;
    o.maxFileSize = DISK_SEGMENT_BYTES;
  }
  if (o.kind === 'disk-assisted') {
    o.highWatermark = DA_HIGH_WATERMARK;
    o.lowWatermark = DA_LOW_WATERMARK;
  }

  o.maxSize = intParam(params, 'queue.size') ?? o.maxSize;
  if (o.maxSize < 1) throw new QueueConfigError(getParam(params, 'queue.size')!.loc, 'queue.size must be at least 1');
  o.batchSize = Math.max(1, intParam(params, 'queue.dequeuebatchsize') ?? o.batchSize);
  const hwm = intParam(params, 'queue.highwatermark');
  o.highWatermark = hwm ?? Math.min(o.highWatermark, Math.max(1, Math.floor(o.maxSize * 0.8)));
  const lwm = intParam(params, 'queue.lowwatermark');
  o.lowWatermark = lwm ?? Math.min(o.lowWatermark, Math.floor(o.highWatermark * 0.7));
  if (o.lowWatermark > o.highWatermark) {
    throw new QueueConfigError(getParam(params, 'queue.lowwatermark')?.loc ?? loc, `queue.lowWatermark (${o.lowWatermark}) is above queue.highWatermark (${o.highWatermark})`);
  }
  o.discardMark = intParam(params, 'queue.discardmark') ?? 0;
  o.discardSeverity = intParam(params, 'queue.discardseverity') ?? 8;
  o.timeoutEnqueueMs = intParam(params, 'queue.timeoutenqueue') ?? o.timeoutEnqueueMs;
  const spool = stringParam(params, 'queue.spooldirectory');
  if (spool !== undefined && spool !== '') o.spoolDirectory = spool;
  o.maxFileSize = sizeParam(params, 'queue.maxfilesize') ?? o.maxFileSize;
  o.maxDiskSpace = sizeParam(params, 'queue.maxdiskspace') ?? 0;
  o.checkpointInterval = intParam(params, 'queue.checkpointinterval') ?? 0;
  o.syncQueueFiles = boolParam(params, 'queue.syncqueuefiles') ?? false;
  o.saveOnShutdown = boolParam(params, 'queue.saveonshutdown') ?? true;
  const resume = intParam(params, 'action.resumeinterval');
  if (resume !== undefined) {
    o.retryMaxMs = Math.max(1, resume) * 1000;
    o.retryInitialMs = Math.min(o.retryInitialMs, o.retryMaxMs);
  }
  o.resumeRetryCount = intParam(params, 'action.resumeretrycount') ?? -1;
  const errorFile = stringParam(params, 'action.errorfile');
  o.errorFile = errorFile && errorFile !== '' ? errorFile : null;
  return o;
}

/** Queue parameters rsyslog accepts that Logwarden's queue does not act on, with why (for `check`). */
export const QUEUE_PARAMS_WITHOUT_EFFECT: Record<string, string> = {
  'queue.workerthreads': 'one delivery is in flight per action (Node runs actions on one thread)',
  'queue.workerthreadminimummessages': 'one delivery is in flight per action',
  'queue.timeoutworkerthreadshutdown': 'there are no worker threads to time out',
  'queue.samplinginterval': 'queue counters are exact, not sampled',
  'queue.lightdelaymark': 'inputs are paused at queue.highWatermark, not throttled in steps',
  'queue.fulldelaymark': 'inputs are paused at queue.highWatermark, not throttled in steps',
  'queue.mindequeuebatchsize': 'a batch is whatever is queued, up to queue.dequeueBatchSize',
  'queue.mindequeuebatchsize.timeout': 'a batch is whatever is queued, up to queue.dequeueBatchSize',
  'queue.dequeueslowdown': 'not implemented',
  'queue.dequeuetimebegin': 'not implemented: the queue always delivers',
  'queue.dequeuetimeend': 'not implemented: the queue always delivers',
  'queue.takeflushfromdisk': 'rsyslog compatibility switch without meaning here',
  'queue.cry.provider': 'disk queue encryption is not implemented; protect the spool directory (0700)',
  'queue.timeoutshutdown': 'the drain deadline on stop is the runtime\'s (10 s), then disk-backed queues save to disk',
  'queue.timeoutactioncompletion': 'the drain deadline on stop is the runtime\'s (10 s)',
};

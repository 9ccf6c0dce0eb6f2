// imfile's parameter table (rsyslog names and defaults, rsyslog 8.2302 doc "imfile: Text File Input Module"),
// plus Logwarden's `format` extension for container and Zeek logs.
import type { ComponentSpec, ParamSpec } from '../../components';

export const INPUT_PARAMS: ParamSpec[] = [
  { name: 'File', type: 'string', required: true, doc: 'File to monitor; wildcards (*, ?, [..]) in any path component pick up new files.' },
  { name: 'Tag', type: 'string', default: '', doc: 'syslogtag of the messages (e.g. "app:").' },
  { name: 'Facility', type: 'string', default: 'local0', doc: 'Facility of the messages (name or number).' },
  { name: 'Severity', type: 'string', default: 'notice', doc: 'Severity of the messages (name or number).' },
  { name: 'PersistStateInterval', type: 'int', default: 0, unit: 'lines', doc: 'Write the position every N lines (0: only at stop, rotation and deletion).' },
  { name: 'PersistStateAfterSubmission', type: 'binary', default: false, doc: 'Write the position after every submitted batch.' },
  { name: 'ReadMode', type: 'int', default: 0, doc: '0: one line per message; 1: paragraphs (blank line ends); 2: indented lines continue the previous one.' },
  { name: 'startmsg.regex', type: 'string', doc: 'A line matching this regex starts a new (multi-line) message.' },
  { name: 'endmsg.regex', type: 'string', doc: 'A line matching this regex ends the current (multi-line) message.' },
  { name: 'readTimeout', type: 'int', default: 0, unit: 'seconds', doc: 'Submit a pending multi-line message after this many seconds without a new line (0: never).' },
  { name: 'addMetadata', type: 'binary', default: true, doc: 'Set $!metadata!filename and $!metadata!fileoffset (rsyslog 8.2302 sets them by default).' },
  { name: 'reopenOnTruncate', type: 'binary', default: false, doc: 'Read a truncated file (copytruncate) again from its start.' },
  { name: 'freshStartTail', type: 'binary', default: false, doc: 'On the first start (no saved position) skip what the files already hold.' },
  { name: 'deleteStateOnFileDelete', type: 'binary', default: true, doc: 'Remove the saved position when its file is deleted.' },
  { name: 'MaxLinesAtOnce', type: 'int', default: 0, unit: 'lines', doc: 'Lines read from one file before turning to the next (0: 1024 per turn).' },
  { name: 'MaxSubmitAtOnce', type: 'int', default: 1024, unit: 'lines', doc: 'Messages per submitted batch.' },
  { name: 'ruleset', type: 'ruleset', doc: 'Ruleset the messages are bound to.' },
  { name: 'escapeLF', type: 'binary', default: true, doc: 'Multi-line messages: write LF inside a message as the two characters \\n (rsyslog default).' },
  { name: 'trimLineOverBytes', type: 'size', default: 0, unit: 'bytes', doc: 'Cut lines longer than this (0: the global maxMessageSize).' },
  { name: 'discardTruncatedMsg', type: 'binary', default: false, doc: 'Drop the rest of a line longer than the limit instead of keeping the cut line.' },
  { name: 'needParse', type: 'binary', default: false, doc: 'Parse each line as a syslog message (header included).' },
  { name: 'fileNotFoundError', type: 'binary', default: true, doc: 'Log a warning when a file without wildcards does not exist.' },
  { name: 'StateFile', type: 'string', doc: 'Deprecated rsyslog name of the state file; Logwarden names its state files itself.', ignored: 'Logwarden keeps one state file per monitored file in <workDirectory>/imfile/' },
  { name: 'format', type: 'word', default: 'raw', values: ['raw', 'cri', 'docker', 'auto', 'zeek'],
    doc: 'Logwarden extension: decode container logs (cri, docker, auto) with k8s.* fields from the path, or Zeek logs (zeek.* fields).' },
  { name: 'name', type: 'string', doc: 'Value of the inputname property (default "imfile").' },
];

export const MODULE_PARAMS: ParamSpec[] = [
  { name: 'mode', type: 'word', default: 'inotify', values: ['inotify', 'polling', 'fen'], doc: 'inotify (and fen, Solaris): react to file system events, with a look every second as fallback; polling: look every PollingInterval.' },
  { name: 'PollingInterval', type: 'int', default: 10, unit: 'seconds', doc: 'Seconds between looks in polling mode.' },
  { name: 'timeoutGranularity', type: 'int', default: 1, unit: 'seconds', doc: 'How often readTimeout is checked.', ignored: 'Logwarden checks readTimeout every 250 ms' },
  { name: 'readTimeout', type: 'int', default: 0, unit: 'seconds', doc: 'Default readTimeout of the inputs.' },
  { name: 'sortFiles', type: 'binary', default: false, doc: 'Process new files of a wildcard in name order.', ignored: 'Logwarden always takes new files in name order' },
  { name: 'normalizePath', type: 'binary', default: true, doc: 'Remove "//" and "/./" from file names.', ignored: 'paths are always normalised' },
];

export const imfileSpec: ComponentSpec = { name: 'imfile', aliases: [], kind: 'input', params: INPUT_PARAMS, moduleParams: MODULE_PARAMS };

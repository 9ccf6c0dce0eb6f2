// `logwarden rules check FILE…` validates rule files (native and Sigma) like `check` does configs;
// `logwarden rules test FILE… LOGFILE` replays a log (syslog frames or file-action output) on its own clock
// and prints what fires and why. Exit 0 on success, 1 when a rule file has errors, 2 on bad usage.
import { readFileSync } from 'node:fs';
import { formatDiagnostics } from '../config/diagnostics';
import { loadRuleFiles } from '../detect/load';
import { replay } from '../detect/replay';
import { has, parseArgs } from './args';

const USAGE = `usage: logwarden rules check RULEFILE...
       logwarden rules test RULEFILE... LOGFILE [--json]
  RULEFILE: YAML rule files, directories or globs (native rules or Sigma). LOGFILE: syslog lines, or the
  output of a file action (RSYSLOG_FileFormat / RSYSLOG_TraditionalFileFormat). See docs/detection.md.
`;

export async function rulesMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const args = parseArgs(rest, []);
  if ((sub !== 'check' && sub !== 'test') || args.positional.length < (sub === 'test' ? 2 : 1)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const files = sub === 'test' ? args.positional.slice(0, -1) : args.positional;
  const set = loadRuleFiles(files);
  const errors = set.diagnostics.filter((d) => d.severity === 'error');
  if (set.diagnostics.length > 0) process.stderr.write(formatDiagnostics(set.diagnostics));
  if (errors.length > 0) {
    process.stderr.write(`${errors.length} error(s); no rules loaded\n`);
    return 1;
  }
  if (sub === 'check') {
    for (const r of set.rules) process.stdout.write(`ok  ${r.id}  ${r.kind}  ${r.format}  ${r.loc.file}:${r.loc.line}\n`);
    process.stdout.write(`${set.rules.length} rule(s) in ${set.files.length} file(s)\n`);
    return 0;
  }
  const logFile = args.positional[args.positional.length - 1]!;
  const lines = readFileSync(logFile, 'utf8').split('\n');
  const { detections, lines: n, lineOf } = replay(set.rules, lines);
  const json = has(args, 'json');
  for (const d of detections) {
    const line = d.event ? (lineOf.get(d.event.msg) ?? d.event.row.raw) : null;
    if (json) {
      process.stdout.write(`${JSON.stringify({ time: new Date(d.timeMs).toISOString(), rule: d.rule.id, level: d.rule.level, key: d.key, reason: d.reason, line })}\n`);
      continue;
    }
    process.stdout.write(`${new Date(d.timeMs).toISOString()}  ${d.rule.id} [${d.rule.level}]${d.key ? `  key=${d.key}` : ''}\n`);
    process.stdout.write(`    why: ${d.rule.title}: ${d.reason} (${d.rule.loc.file}:${d.rule.loc.line})\n`);
    if (line !== null) process.stdout.write(`    line: ${line}\n`);
  }
  if (!json) process.stdout.write(`${n} message(s) replayed, ${detections.length} detection(s) from ${new Set(detections.map((d) => d.rule.id)).size} rule(s)\n`);
  return 0;
}

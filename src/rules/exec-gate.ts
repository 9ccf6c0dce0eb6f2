// rsyslog's per-action execution gates (runtime/action.c actionWriteToAction), checked before a message is handed
// to the action's queue:
//   action.execOnlyEveryNthTime=n          only every n-th message the action sees runs it (the n-1 before are dropped)
//   action.execOnlyEveryNthTimeTimeout=s   the n-th counter restarts when s seconds passed since the last restart
//                                          (rsyslog's tLastOccur: set at startup and at each restart only)
//   action.execOnlyOnceEveryInterval=s     after a run, messages are dropped for s seconds (wall clock, not the
//                                          message's time); the first message always runs
// The every-n-th check comes first: a message it drops does not count for the interval.
import { getParam, type ActionDecl } from '../config/model';

export interface ExecGateOptions {
  everyNth: number;
  everyNthTimeout: number;
  onceInterval: number;
}

/** Current time in whole seconds (rsyslog's datetime.GetTime). */
export type Clock = () => number;
const wallClock: Clock = () => Math.floor(Date.now() / 1000);

function intOf(decl: ActionDecl, name: string): number {
  const p = getParam(decl.params, name);
  if (p === undefined) return 0;
  const n = Number.parseInt(String(p.value), 10);
  return Number.isFinite(n) ? n : 0;
}

export function execGateOptions(decl: ActionDecl): ExecGateOptions {
  return {
    everyNth: intOf(decl, 'action.execOnlyEveryNthTime'),
    everyNthTimeout: intOf(decl, 'action.execOnlyEveryNthTimeTimeout'),
    onceInterval: intOf(decl, 'action.execOnlyOnceEveryInterval'),
  };
}

/**
 * A predicate that says whether this message may run the action, or null when no gate is configured (rsyslog's
 * "firehose mode": nothing to check). The predicate keeps the action's state; call it once per message.
 */
export function compileExecGate(o: ExecGateOptions, now: Clock = wallClock): (() => boolean) | null {
  const nth = o.everyNth > 1 ? o.everyNth : 0;
  const interval = o.onceInterval > 0 ? o.onceInterval : 0;
  if (nth === 0 && interval === 0) return null;
  let noExec = 0;
  let lastOccur = now();
  let lastExec = 0;
  return () => {
    const t = now();
    if (nth > 0) {
      if (o.everyNthTimeout > 0 && t - lastOccur > o.everyNthTimeout) {
        noExec = 0;
        lastOccur = t;
      }
      if (noExec < nth - 1) {
        noExec++;
        return false;
      }
      noExec = 0;
    }
    if (lastExec > t) lastExec = 0; // the clock went back: rsyslog forgets the last run
    if (interval > 0 && interval + lastExec > t) return false;
    lastExec = t;
    return true;
  };
}

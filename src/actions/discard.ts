// omdiscard (and legacy `~`): accept and drop messages on purpose, counting them.
import type { ActionFactory } from '../components';
import type { Action, ActionStats } from './action';

class DiscardAction implements Action {
  readonly name: string;
  readonly stats: ActionStats = { delivered: 0, failed: 0 };
  constructor(name: string) {
    this.name = name;
  }
  async deliver(batch: unknown[]): Promise<void> {
    this.stats.delivered += batch.length;
  }
  async close(): Promise<void> {}
}

let counter = 0;

export const discardAction: ActionFactory = {
  spec: { name: 'discard', aliases: ['omdiscard'], kind: 'action', params: [{ name: 'name', type: 'string', doc: 'Action name.' }], moduleParams: [] },
  create: (decl) => new DiscardAction(String(decl.params.get('name')?.value ?? `omdiscard#${++counter}`)),
};

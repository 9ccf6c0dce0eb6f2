// `logwarden search --config`: the store directory comes from the first store action, wherever it is nested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storePathFromConfig } from '../../src/cli/search';
import { DEFAULT_RULESET, type ConfigModel, type Params, type Statement } from '../../src/config/model';

const loc = { file: 'x.conf', line: 1, col: 1 };

function params(o: Record<string, string>): Params {
  return new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), { name: k, value: v, loc }]));
}

function model(statements: Statement[], globals: Record<string, string> = {}): ConfigModel {
  return {
    files: ['x.conf'], globals: params(globals), modules: [], inputs: [], templates: new Map(), mainQueue: new Map(), diagnostics: [],
    rulesets: new Map([[DEFAULT_RULESET, { name: DEFAULT_RULESET, params: new Map(), statements, loc }]]),
  };
}

const action = (type: string, p: Record<string, string>): Statement => ({ kind: 'action', action: { type, params: params(p), loc }, loc });

test('finds the store action path, nested under if/else and filters', () => {
  const nested: Statement = {
    kind: 'if', cond: { kind: 'number', value: 1, loc }, then: [action('omfile', { file: '/x' })],
    else: [{ kind: 'filter', filter: { kind: 'selector', terms: [], loc }, body: [action('store', { path: '/srv/store' })], loc }], loc,
  };
  assert.equal(storePathFromConfig(model([action('omfile', { file: '/y' }), nested])), '/srv/store');
  assert.equal(storePathFromConfig(model([action('store', {})], { workDirectory: '/var/lib/lw' })), '/var/lib/lw/store');
  assert.equal(storePathFromConfig(model([action('omfile', { file: '/y' })])), undefined);
});

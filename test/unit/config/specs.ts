// Component tables for the config tests: the shape real components export, limited to what the tests touch.
import type { ComponentSpec, ParamSpec } from '../../../src/components';

const p = (name: string, type: ParamSpec['type'], extra: Partial<ParamSpec> = {}): ParamSpec => ({ name, type, doc: name, ...extra });

const SPECS: ComponentSpec[] = [
  { name: 'udp', aliases: ['imudp'], kind: 'input', moduleParams: [],
    params: [p('port', 'int', { required: true }), p('address', 'string'), p('ruleset', 'ruleset'), p('name', 'string')] },
  { name: 'tcp', aliases: ['imtcp'], kind: 'input',
    moduleParams: [p('StreamDriver.Name', 'word', { values: ['ptcp', 'gtls', 'ossl'] }), p('StreamDriver.Mode', 'int'),
      p('StreamDriver.AuthMode', 'word', { values: ['anon', 'x509/name', 'x509/fingerprint', 'x509/certvalid'] }),
      p('PermittedPeer', 'array'), p('MaxSessions', 'int')],
    params: [p('port', 'int', { required: true }), p('address', 'string'), p('ruleset', 'ruleset'), p('name', 'string'),
      p('streamDriver.mode', 'int'), p('streamDriver.authMode', 'word', { values: ['anon', 'x509/name'] }),
      p('permittedPeer', 'array'), p('maxSessions', 'int')] },
  { name: 'file', aliases: ['omfile'], kind: 'action', moduleParams: [p('template', 'template'), p('fileCreateMode', 'string')],
    params: [p('file', 'path'), p('dynaFile', 'template'), p('template', 'template'), p('fileCreateMode', 'string'),
      p('dirCreateMode', 'string'), p('fileOwner', 'string')] },
  { name: 'forward', aliases: ['omfwd'], kind: 'action', moduleParams: [],
    params: [p('target', 'string', { required: true }), p('port', 'int'), p('protocol', 'word', { values: ['udp', 'tcp'] }),
      p('template', 'template'), p('ziplevel', 'int'), p('TCP_Framing', 'word', { values: ['traditional', 'octet-counted'] }),
      p('StreamDriver', 'word', { values: ['ptcp', 'gtls', 'ossl'] }), p('StreamDriverMode', 'int'),
      p('StreamDriverAuthMode', 'string'), p('StreamDriverPermittedPeers', 'array')] },
  { name: 'usrmsg', aliases: ['omusrmsg'], kind: 'action', moduleParams: [], params: [p('users', 'string', { required: true }), p('template', 'template')] },
  { name: 'pipe', aliases: ['ompipe'], kind: 'action', moduleParams: [], params: [p('pipe', 'path', { required: true }), p('template', 'template')] },
  { name: 'discard', aliases: ['omdiscard'], kind: 'action', moduleParams: [], params: [] },
  { name: 'store', aliases: ['store'], kind: 'action', moduleParams: [], params: [p('path', 'path')] },
];

export function lookupComponent(name: string): ComponentSpec | undefined {
  const n = name.toLowerCase().replace(/^builtin:/, '');
  return SPECS.find((s) => s.name === n || s.aliases.includes(n));
}

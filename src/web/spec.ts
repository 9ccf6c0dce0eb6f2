// Parameter table of the HTTP API / web console service: `module(load="http" port="8080" address="127.0.0.1")`.
import type { ComponentSpec } from '../components';

export const httpServiceSpec: ComponentSpec = {
  name: 'http',
  aliases: ['lwhttp', 'webui'],
  kind: 'service',
  params: [],
  moduleParams: [
    { name: 'port', type: 'int', default: 8080, doc: 'TCP port of the HTTP API and web console.' },
    { name: 'address', type: 'string', default: '127.0.0.1', doc: 'Address to listen on; loopback by default.' },
    { name: 'search.workers', type: 'int', default: 2, doc: 'Search worker threads; a heavy query holds one while the others answer.' },
    { name: 'search.timeout', type: 'int', default: 10, unit: 'seconds', doc: 'Deadline of one search; past it the query is stopped (its worker restarted).' },
    { name: 'search.queueLimit', type: 'int', default: 32, doc: 'Searches that may wait for a worker; more answer HTTP 503 with Retry-After.' },
    { name: 'store', type: 'path', doc: 'Store directory searched by the API (default: the first store action\'s path).' },
    { name: 'allowedHosts', type: 'string', doc: 'Comma-separated host names accepted in the Host header besides localhost, 127.0.0.1, [::1] and the listen address (DNS-rebinding guard); needed behind a DNS name or proxy.' },
    { name: 'tls.certFile', type: 'path', doc: 'Serve HTTPS on the same port with this certificate (PEM, chain after the leaf); needs tls.keyFile.' },
    { name: 'tls.keyFile', type: 'path', doc: 'Private key of tls.certFile (PEM).' },
  ],
};

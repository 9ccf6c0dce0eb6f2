// A tiny HTTP client for console tests: node:http, so the Host, Origin and Cookie headers are exactly as given.
import { request } from 'node:http';

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Res> {
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const h: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers };
  if (data !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** The lw_session value from a Set-Cookie header. */
export function sessionFrom(res: Res): string {
  const sc = res.headers['set-cookie'];
  const line = (Array.isArray(sc) ? sc : [sc ?? '']).find((c) => c.startsWith('lw_session='));
  if (line === undefined) throw new Error(`no lw_session cookie in ${JSON.stringify(sc)}`);
  return line.slice('lw_session='.length).split(';')[0]!;
}

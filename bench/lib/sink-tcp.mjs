// The forward target: accepts TCP connections on 127.0.0.1 and appends everything received to FILE (the
// matrix counts its lines). Prints its port on stdout once listening. usage: node sink-tcp.mjs FILE
import { createServer } from 'node:net';
import { openSync, writeSync } from 'node:fs';

const fd = openSync(process.argv[2], 'w');
const server = createServer((sock) => {
  sock.on('data', (b) => { writeSync(fd, b); });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => { console.log(server.address().port); });
process.on('SIGTERM', () => process.exit(0));

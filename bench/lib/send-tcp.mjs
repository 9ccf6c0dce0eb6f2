// Streams FILE over one TCP connection to HOST:PORT as fast as the receiver reads it, then closes.
// usage: node send-tcp.mjs HOST PORT FILE
import { createReadStream } from 'node:fs';
import { connect } from 'node:net';

const [host, port, file] = process.argv.slice(2);
const sock = connect(Number(port), host, () => {
  createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(sock);
});
sock.on('error', (e) => { console.error(`send-tcp: ${e.message}`); process.exit(1); });
sock.on('close', () => process.exit(0));

// Child process of disk-queue-crash.test.ts: appends numbered messages (codec + DiskQueue, checkpointInterval=1,
// syncQueueFiles) until killed, printing the total appended after every append() returns.
import { StreamLogger } from '../../../src/log';
import { Message } from '../../../src/message';
import { encodeBatch } from '../../../src/queue/codec';
import { DiskQueue } from '../../../src/queue/disk/disk-queue';
import { SyslogTime } from '../../../src/time';

const dir = process.argv[2]!;
const origin = { inputname: 'crash', fromhost: 'child', fromhostIp: '127.0.0.1', ruleset: 'RSYSLOG_DefaultRuleset' };
const q = DiskQueue.open({ dir, name: 'crash', maxFileSize: 16 * 1024, maxDiskSpace: 0, checkpointInterval: 1,
  syncQueueFiles: true, logger: new StreamLogger({ out: null }), checkpointMs: 0 });
let n = 0;
for (let round = 0; round < 100_000; round++) { // bounded: the parent kills us long before
  const batch: Message[] = [];
  for (let k = 0; k < 1 + (round % 4); k++) {
    const m = new Message(Buffer.from(`<13>seq ${n + k} ${'x'.repeat(100 + (round % 50))}`), origin, SyslogTime.now());
    m.msg = `seq ${n + k}`;
    batch.push(m);
  }
  n += q.append(encodeBatch(batch));
  process.stdout.write(`${n}\n`);
}
q.close();

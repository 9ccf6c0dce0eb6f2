// Differential suite, shard 8 of 8 (see diff-suite.test.ts).
import { test } from 'node:test';
import { rsyslogMissing } from '../../helpers/rsyslog';
import { runShard } from './suite';

test('differential suite shard 8/8: Logwarden vs rsyslogd on distro configs and recipes', { skip: rsyslogMissing(), timeout: 290_000 }, () => runShard(7));

// Seed 003's selector lines as printed, with their portable rsyslog spellings and expected lowering and warnings.

export const W_SELECTOR = 'LW_WARN_CONFIG_SELECTOR_BLANK';
export const W_PRILIST = 'LW_WARN_CONFIG_PRIORITY_LIST';
export const W_USERS = 'LW_WARN_CONFIG_USER_LIST_BLANK';
export const W_LEGACY_USERS = 'LW_WARN_CONFIG_LEGACY_USERLIST';
export const W_FORWARD = 'LW_WARN_CONFIG_FORWARD_BLANK';
export const W_JOINED = 'LW_WARN_CONFIG_JOINED_LINES';

export type Term = [number[] | '*', string, number];
export type Lowered = Array<[Term[], Array<[string, Record<string, string>]>]>;

export interface Case {
  /** The line as printed in seed 003. */
  seed: string;
  /** The blank-free spelling rsyslogd -N1 accepts with the same meaning. */
  portable: string;
  /** Expected warnings as [code, column], in column order. */
  warnings: Array<[string, number]>;
  /** The lowered model: per filter statement, its terms and its actions (type, params). */
  model: Lowered;
  /** Text every new warning's hint must contain (the portable spelling it recommends). */
  hint?: string;
}

export const CASES: Case[] = [
  { seed: 'user.err /var/log/user.log', portable: 'user.err /var/log/user.log', warnings: [],
    model: [[[[[1], 'ge', 3]], [['omfile', { file: '/var/log/user.log' }]]]] },
  { seed: '*. notice @192.168.10.10', portable: '*.notice @192.168.10.10', warnings: [[W_SELECTOR, 3]],
    model: [[[['*', 'ge', 5]], [['omfwd', { protocol: 'udp', target: '192.168.10.10' }]]]],
    hint: '`*.notice @192.168.10.10`' },
  { seed: 'mail.* @@192.168.10.10:6514', portable: 'mail.* @@192.168.10.10:6514', warnings: [],
    model: [[[[[2], 'ge', 7]], [['omfwd', { protocol: 'tcp', target: '192.168.10.10', port: '6514' }]]]] },
  { seed: '*.* @(z9) 192.168.10.10', portable: '*.* @(z9)192.168.10.10', warnings: [[W_FORWARD, 10]],
    model: [[[['*', 'ge', 7]], [['omfwd', { protocol: 'udp', ziplevel: '9', target: '192.168.10.10' }]]]],
    hint: '`@(z9)192.168.10.10`' },
  { seed: '*.=crit;kern.none /var/log/critical', portable: '*.=crit;kern.none /var/log/critical', warnings: [],
    model: [[[['*', 'eq', 2], [[0], 'none', 7]], [['omfile', { file: '/var/log/critical' }]]]] },
  { seed: '*. emerg *', portable: '*.emerg :omusrmsg:*', warnings: [[W_SELECTOR, 3], [W_LEGACY_USERS, 10]],
    model: [[[['*', 'ge', 0]], [['omusrmsg', { users: '*' }]]]], hint: '`*.emerg ' },
  { seed: 'authpriv.* root, gildong', portable: 'authpriv.* :omusrmsg:root,gildong',
    warnings: [[W_LEGACY_USERS, 12], [W_USERS, 17]],
    model: [[[[[10], 'ge', 7]], [['omusrmsg', { users: 'root,gildong' }]]]], hint: '`:omusrmsg:root,gildong`' },
  { seed: 'cron.! info,! debug /var/log/cron.log', portable: 'cron.*;cron.!=info;cron.!=debug /var/log/cron.log',
    warnings: [[W_SELECTOR, 7], [W_PRILIST, 12]],
    model: [[[[[9], 'ge', 7], [[9], 'ne', 6], [[9], 'ne', 7]], [['omfile', { file: '/var/log/cron.log' }]]]],
    hint: '`cron.*;cron.!=info;cron.!=debug' },
  { seed: 'mail.*;mail.!=info /var/log/maillog', portable: 'mail.*;mail.!=info /var/log/maillog', warnings: [],
    model: [[[[[2], 'ge', 7], [[2], 'ne', 6]], [['omfile', { file: '/var/log/maillog' }]]]] },
  { seed: 'uucp, news.crit /var/log/news', portable: 'uucp,news.crit /var/log/news', warnings: [[W_SELECTOR, 6]],
    model: [[[[[8, 7], 'ge', 2]], [['omfile', { file: '/var/log/news' }]]]], hint: '`uucp,news.crit /var/log/news`' },
  { seed: 'authpriv.* /dev/tty2', portable: 'authpriv.* /dev/tty2', warnings: [],
    model: [[[[[10], 'ge', 7]], [['omfile', { file: '/dev/tty2' }]]]] },
  { seed: '$template remote-incoming-logs,"/var/log/%HOSTNAME%/%PROGRAMNAME%.log" *.* ?remote-incoming-logs',
    portable: '$template remote-incoming-logs,"/var/log/%HOSTNAME%/%PROGRAMNAME%.log"\n*.* ?remote-incoming-logs',
    warnings: [[W_JOINED, 72]], model: [[[['*', 'ge', 7]], [['omfile', { dynaFile: 'remote-incoming-logs' }]]]],
    hint: 'put `*.* ?remote-incoming-logs` on a line of its own' },
];

// One line per default template, with the date text fail2ban cuts out and the time it reads. The
// times were computed with Python's datetime (UTC), independently of the code under test; the
// differential test also runs these lines through fail2ban itself. `now` is 2026-11-27 12:00 UTC.

export const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

export interface Sample {
  readonly template: string;
  readonly line: string;
  readonly text: string;
  readonly ms: number;
}

export const SAMPLES: readonly Sample[] = [
  {
    template: 'ISO, fraction',
    line: '2005-01-23T21:59:59.981746 sshd[1]: x',
    text: '2005-01-23T21:59:59.981746',
    ms: 1106517599981,
  },
  {
    template: 'ISO, slashes',
    line: '2005/01/23 21:59:59 su: x',
    text: '2005/01/23 21:59:59',
    ms: 1106517599000,
  },
  {
    template: 'ISO, dots',
    line: '2006.12.21 06:43:20 syslog-ng',
    text: '2006.12.21 06:43:20',
    ms: 1166683400000,
  },
  {
    template: 'ISO, zone',
    line: '2005-01-23 21:59:59 +0200 x',
    text: '2005-01-23 21:59:59 +0200',
    ms: 1106510399000,
  },
  {
    template: 'ISO, two blanks',
    line: '2005-01-23  8:59:59 x',
    text: '2005-01-23  8:59:59',
    ms: 1106470799000,
  },
  {
    template: 'asctime',
    line: '[Sun Jan 23 21:59:59.011 2005] [error]',
    text: 'Sun Jan 23 21:59:59.011 2005',
    ms: 1106517599011,
  },
  { template: 'syslog', line: 'Jan 23 21:59:59 host sshd[1]: x', text: 'Jan 23 21:59:59', ms: 1769205599000 },
  {
    template: 'asctime, year first',
    line: 'Sun Jan 23 2005 21:59:59.011 x',
    text: 'Sun Jan 23 2005 21:59:59.011',
    ms: 1106517599011,
  },
  { template: 'd/m/Y', line: '23/01/2005 21:59:59 x11vnc', text: '23/01/2005 21:59:59', ms: 1106517599000 },
  { template: 'd/m/y', line: '23/01/05 21:59:59 x11vnc', text: '23/01/05 21:59:59', ms: 1106517599000 },
  { template: 'd-m-Y', line: '17-07-2008 17:23:25 x', text: '17-07-2008 17:23:25', ms: 1216315405000 },
  {
    template: 'apache',
    line: '[31/Oct/2006:09:22:55 -0000] "GET / HTTP/1.0"',
    text: '31/Oct/2006:09:22:55 -0000',
    ms: 1162286575000,
  },
  {
    template: 'named',
    line: '26-Jul-2007 15:20:52.252 client',
    text: '26-Jul-2007 15:20:52.252',
    ms: 1185463252252,
  },
  {
    template: 'roundcube',
    line: '26-Jul-2007 15:20:52 +0200 x',
    text: '26-Jul-2007 15:20:52 +0200',
    ms: 1185456052000,
  },
  { template: 'cpanel', line: '05/20/2008:01:57:39 x', text: '05/20/2008:01:57:39', ms: 1211248659000 },
  {
    template: 'm-d-Y',
    line: '01-27-2012 16:22:44.252 x',
    text: '01-27-2012 16:22:44.252',
    ms: 1327681364252,
  },
  { template: 'epoch', line: '1138747232.345 nsd[1]: x', text: '1138747232.345', ms: 1138747232345 },
  { template: 'epoch, brackets', line: '[1138747232] nsd', text: '1138747232', ms: 1138747232000 },
  {
    template: 'epoch, audit',
    line: 'type=USER_AUTH msg=audit(1138747232.345:123): x',
    text: '1138747232.345',
    ms: 1138747232345,
  },
  { template: 'time only', line: '10:00:00 x', text: '10:00:00', ms: 1795773600000 },
  { template: 'time only, yesterday', line: '13:00:00 x', text: '13:00:00', ms: 1795698000000 },
  {
    template: '<m/d/y@H:M:S>',
    line: '<09/16/08@05:03:30> x',
    text: '<09/16/08@05:03:30>',
    ms: 1221541410000,
  },
  { template: 'mysql', line: '130322 11:46:11 mysqld', text: '130322 11:46:11', ms: 1363952771000 },
  {
    template: 'mysql, short hour',
    line: '130322  1:46:11 mysqld',
    text: '130322  1:46:11',
    ms: 1363916771000,
  },
  {
    template: 'tomcat, AM',
    line: 'Apr 16, 2013 8:51:13 AM org.apache',
    text: 'Apr 16, 2013 8:51:13 AM',
    ms: 1366102273000,
  },
  {
    template: 'tomcat, PM',
    line: 'Jul 4, 2013 11:45:01 PM x',
    text: 'Jul 4, 2013 11:45:01 PM',
    ms: 1372981501000,
  },
  {
    template: 'tomcat, 12 AM',
    line: 'Jul 4, 2013 12:05:01 AM x',
    text: 'Jul 4, 2013 12:05:01 AM',
    ms: 1372896301000,
  },
  { template: 'assp', line: 'Apr-27-13 02:33:06 [Worker_1]', text: 'Apr-27-13 02:33:06', ms: 1367029986000 },
  { template: 'compact', line: '20050123T215959 x', text: '20050123T215959', ms: 1106517599000 },
  {
    template: 'compact, zone',
    line: '20050123 215959-0500 x',
    text: '20050123 215959-0500',
    ms: 1106535599000,
  },
  {
    template: 'zone name',
    line: 'PDT Apr 16 21:05:29 monit',
    text: 'PDT Apr 16 21:05:29',
    ms: 1776398729000,
  },
  {
    template: 'zone offset',
    line: '+00:00 Jan 23 21:59:59.011 2005 x',
    text: '+00:00 Jan 23 21:59:59.011 2005',
    ms: 1106517599011,
  },
  {
    template: 'TAI64N',
    line: '@4000000037c219bf2ef02e94 tcpserver',
    text: '@4000000037c219bf2ef02e94',
    ms: 935467455787,
  },
];

export interface PatternSample {
  readonly datepattern: string;
  readonly line: string;
  readonly text: string;
  readonly ms: number;
  /** logtimezone */
  readonly timezone?: string;
  /** False for banhammer's own meanings (ISO8601, %s), which fail2ban lacks. */
  readonly fail2ban?: false;
}

// Times computed with Python's datetime; lines without a date are "today" (27 November 2026).
export const PATTERN_SAMPLES: readonly PatternSample[] = [
  {
    datepattern: '%Y-%m-%d %H:%M:%S',
    line: 'x 2026-01-02 03:04:05 y',
    text: '2026-01-02 03:04:05',
    ms: 1767323045000,
  },
  {
    datepattern: '%d/%b/%Y:%H:%M:%S %z',
    line: '1.2.3.4 - - [02/Jan/2026:03:04:05 +0100] "GET /"',
    text: '02/Jan/2026:03:04:05 +0100',
    ms: 1767319445000,
  },
  {
    datepattern: '%A, %B %d, %Y %I:%M:%S %p',
    line: 'Friday, January 02, 2026 03:04:05 PM x',
    text: 'Friday, January 02, 2026 03:04:05 PM',
    ms: 1767366245000,
  },
  { datepattern: '%b %d %H:%M:%S', line: 'JAN 02 03:04:05 x', text: 'JAN 02 03:04:05', ms: 1767323045000 },
  { datepattern: '%y%m%d %H%M%S', line: '260102 030405 x', text: '260102 030405', ms: 1767323045000 },
  {
    datepattern: '%Y %j %H:%M:%S',
    line: '2026 033 10:00:00 x',
    text: '2026 033 10:00:00',
    ms: 1770026400000,
  },
  {
    datepattern: '%ExY%Exm%ExdT%ExH%ExM%ExS',
    line: '20260102T030405 x',
    text: '20260102T030405',
    ms: 1767323045000,
  },
  { datepattern: '%H:%M:%S %Z', line: '03:04:05 CET x', text: '03:04:05 CET', ms: 1795745045000 },
  { datepattern: '%H:%M:%S %Exz', line: '03:04:05 CET+0100 x', text: '03:04:05 CET+0100', ms: 1795741445000 },
  { datepattern: '%H:%M:%S%z', line: '03:04:05+02 x', text: '03:04:05+02', ms: 1795741445000 },
  { datepattern: '%H:%M:%S %z', line: '03:04:05 -03:00 x', text: '03:04:05 -03:00', ms: 1795759445000 },
  { datepattern: '%H:%M:%S.%f', line: 'at 03:04:05.678 x', text: '03:04:05.678', ms: 1795748645678 },
  {
    datepattern: '%Y-%m-%d %H:%M:%S%%',
    line: '2026-01-02 03:04:05% x',
    text: '2026-01-02 03:04:05%',
    ms: 1767323045000,
  },
  { datepattern: '{^LN-BEG}%H:%M:%S', line: '[03:04:05] x', text: '03:04:05', ms: 1795748645000 },
  { datepattern: '{UNB}%H:%M:%S', line: 'abc03:04:05def', text: '03:04:05', ms: 1795748645000 },
  { datepattern: '%H:%M:%S$', line: '01:02:03 x 03:04:05', text: '03:04:05', ms: 1795748645000 },
  { datepattern: '%Y %U %w', line: '2026 10 3 x', text: '2026 10 3', ms: 1773187200000 },
  {
    datepattern: '%c',
    line: 'Fri Jan  2 03:04:05 2026 x',
    text: 'Fri Jan  2 03:04:05 2026',
    ms: 1767323045000,
  },
  { datepattern: '%x %X', line: '01/02/26 03:04:05 x', text: '01/02/26 03:04:05', ms: 1767323045000 },
  { datepattern: '^\\[{DATE}\\]', line: '[Jan 23 21:59:59] x', text: '[Jan 23 21:59:59]', ms: 1769205599000 },
  { datepattern: '^\\[{EPOCH}\\]', line: '[1767225600] x', text: '[1767225600]', ms: 1767225600000 },
  { datepattern: 'EPOCH', line: '1767225600 x', text: '1767225600', ms: 1767225600000 },
  { datepattern: 'epoch', line: 'audit(1767225600.5:1) x', text: '1767225600', ms: 1767225600000 },
  { datepattern: 'LEPOCH', line: '1767225600123 x', text: '1767225600123', ms: 1767225600123 },
  { datepattern: 'LEPOCH', line: '1767225600123456 x', text: '1767225600123456', ms: 1767225600123 },
  { datepattern: '^EPOCH', line: '[1767225600] x', text: '1767225600', ms: 1767225600000 },
  {
    datepattern: 'TAI64N',
    line: 'x @4000000037c219bf2ef02e94 y',
    text: '@4000000037c219bf2ef02e94',
    ms: 935467455787,
  },
  { datepattern: '{^LN-BEG}', line: 'Jan 23 21:59:59 x', text: 'Jan 23 21:59:59', ms: 1769205599000 },
  { datepattern: '{DEFAULT}', line: 'x Jan 23 21:59:59', text: 'Jan 23 21:59:59', ms: 1769205599000 },
  {
    datepattern: '%b %d %H:%M:%S',
    timezone: 'UTC+0200',
    line: 'Jan 23 21:59:59 x',
    text: 'Jan 23 21:59:59',
    ms: 1769198399000,
  },
  {
    datepattern: '%b %d %H:%M:%S %z',
    timezone: 'UTC+0200',
    line: 'Jan 23 21:59:59 +0000 x',
    text: 'Jan 23 21:59:59 +0000',
    ms: 1769205599000,
  },
  {
    datepattern: 'ISO8601',
    line: '2026-01-02T03:04:05.123+01:00 x',
    text: '2026-01-02T03:04:05.123+01:00',
    ms: 1767319445123,
    fail2ban: false,
  },
  {
    datepattern: 'ts=%s',
    line: 'ts=1767225600 x',
    text: 'ts=1767225600',
    ms: 1767225600000,
    fail2ban: false,
  },
];

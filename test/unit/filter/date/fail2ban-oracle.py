# Runs fail2ban's own DateDetector over batches of lines for the differential test.
# Input (stdin, JSON): {"now": seconds, "batches": [{"datepattern": str|null, "logtimezone": str|null,
#   "files": [path...] | "lines": [str...], "limit": int}]}
# Output (stdout, JSON): per batch, per line: {"line", "hit": [start, end] (UTF-16 units) | null,
#   "time": seconds | null, "error": str | null}. One fresh detector per file or line list.
import json
import sys

from fail2ban.server.datedetector import DateDetector
from fail2ban.server.mytime import MyTime


def utf16(text, n):
    return len(text[:n].encode('utf-16-le')) // 2


def detector(batch):
    dd = DateDetector()
    if batch.get('logtimezone'):
        dd.default_tz = batch['logtimezone']
    pattern = batch.get('datepattern')
    if pattern is None:
        dd.addDefaultTemplate()
    else:
        for p in filter(None, (x.strip() for x in pattern.split('\n'))):
            dd.appendTemplate(p)
    # Templates are shared process-wide; their match counters steer the search, so start from zero.
    for t in dd.templates:
        t.template.hits = 0
    return dd


def run(dd, line):
    out = {'line': line, 'hit': None, 'time': None, 'error': None}
    try:
        m, tpl = dd.matchTime(line)
        if m:
            s, e = m.start(1), m.end(1)
            out['hit'] = [utf16(line, s), utf16(line, e)]
            if e > s:
                t = dd.getTime(line[s:e], (m, tpl))
                out['time'] = t[0] if t else None
    except Exception as ex:  # fail2ban drops such a line
        out['error'] = repr(ex)
    return out


def main():
    req = json.load(sys.stdin)
    MyTime.setTime(req['now'])
    result = []
    for batch in req['batches']:
        groups = []
        if 'files' in batch:
            for path in batch['files']:
                with open(path, encoding='utf-8', errors='replace') as f:
                    groups.append([l.rstrip('\r\n') for l in f][: batch.get('limit', 10**9)])
        else:
            groups.append(batch['lines'])
        rows = []
        for lines in groups:
            dd = detector(batch)
            rows.extend(run(dd, l) for l in lines)
        result.append(rows)
    json.dump(result, sys.stdout)


main()

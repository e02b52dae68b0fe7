// Many log lines through a filter's usual path in one call (src/filter/lane.ts is the JS side).
// Calling into RE2 once per line from JavaScript costs more than the regexes: each call reads its
// string across N-API, and a line takes up to three (date, then the failregexes on the text
// without it). A lane reads a buffer of lines and, for each, does what the JS path would do on
// the line's usual path: the date template that won the last line, searched at the line's start;
// the date cut out; the failregexes in order, each behind its required literal. It writes one
// row of offsets per line and stops at the first line that leaves that path (not ASCII, no date
// where the template looks, too long, incomplete), which the caller reads the ordinary way.

#ifndef BANHAMMER_RE2_LANE_H
#define BANHAMMER_RE2_LANE_H

#include <napi.h>

namespace banhammer {

/**
 * `lane(failregexes: handle[], literals: string[], prefregex?: { handle, literal, content },
 * confirms?: boolean[])` → `{ scan, state, head, failGroups, prefGroups }`, where
 * `scan(buf, from, to, date: handle, reach: number, maxLine: number, rows: Int32Array): number`
 * fills `rows` (see lane.cc for the layout) and returns how many lines it read.
 */
Napi::Value Lane(const Napi::CallbackInfo& info);

/**
 * `group(states: lane().state[])` → `{ scan, head, extra }`: lanes that read the same lines with the
 * same date template, each line's date read once for all of them. `scan(buf, from, to, date, reach,
 * maxLine, rows, last): number` writes rows only for what the caller must see (lane.cc, GroupScan);
 * a row is head + 2 * dateGroups + extra numbers.
 */
Napi::Value Group(const Napi::CallbackInfo& info);

}  // namespace banhammer

#endif

// Rows written by scan(), one per line read, kHead + 2 * dateGroups + 2 * maxFailGroups numbers each:
//   [0] the line's start in buf   [1] its end (before "\r\n" or "\n")   [2] the next line's start
//   [3] 1 when the date's match is the previous row's, with the same characters around it (so
//       are its groups and its time)
//   [4] the failregex that matched, or -1 (prefregex, when there is one, included); -(i + 2)
//       when the superset of failregex i, one the caller confirms, matched (no spans then);
//       kIgnored when an ignoreregex checked before them matched (lane()'s `ignores`)
//   [5] with a prefregex: where <F-CONTENT> starts in the line without its date, when the
//       failregexes read that content; -1 when they read the whole text
//   [6] in a group's rows: the member the row is for, -1 for a line's date (see GroupScan); 0 else
//   then the date template's group spans, from the line's start,
//   then prefregex's group spans (when there is one), in the line without its date,
//   then the matching failregex's group spans, in what it read (-1, -1: unset).
// Every line read is ASCII, so UTF-16 offsets are byte offsets and a line is read as Latin-1,
// exactly as the JS path reads it (src/tail/line-splitter.ts decodes ASCII lines that way).

#include "lane.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "literal-set.h"
#include "matcher.h"
#include "text.h"

namespace banhammer {

namespace {

constexpr int kHead = 7;
// Row [4] of a line an ignoreregex took before any failregex ran (process() checks them first when
// a filter has clearly fewer of them than failregexes).
constexpr int kIgnored = -1000000;

/** The dates of the lines a scan reads, one after another. */
struct DateCursor {
  Utf8Text line;
  Scratch<int32_t> spans;
  // The last date read in this call: its match, where it starts, the bytes on each side (-1: edge).
  bool have_prev = false;
  size_t prev_from = 0;
  int prev_before = -1;
  int prev_after = -1;
  std::string prev_match;

  /**
   * Reads the date of the line (`len` ASCII bytes) with the template's program into spans(): the
   * template's whole-line search, the line cut at its reach. False when the line leaves the lane
   * (no date there, or an empty one: the JS path then reads the line whole). `same`: the date and
   * its groups are the previous line's.
   */
  bool Read(Program& dp, const char* text, size_t len, int64_t reach, bool* same) {
    const int count = dp.count();
    int32_t* ds = spans.Reserve(2 * static_cast<size_t>(count));
    line.SetAscii(text, len);
    const size_t cut_at = reach >= 0 && static_cast<size_t>(reach) < len ? static_cast<size_t>(reach) : len;
    // Where the date is, by the DFA alone; then its groups: the previous line's when the match
    // and the character on each side of it (or the text's edge) are the previous line's, since
    // they are all RE2's leftmost-first parse of the match can depend on (two lines in one second
    // share their date); else read.
    size_t m0 = 0;
    size_t m1 = 0;
    if (!dp.Locate(line, 0, cut_at, &m0, &m1)) return false;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text);
    const int before = m0 > 0 ? bytes[m0 - 1] : -1;
    const int after = m1 < cut_at ? bytes[m1] : -1;
    *same = have_prev && m0 == prev_from && prev_before == before && prev_after == after &&
            prev_match.size() == m1 - m0 && std::memcmp(prev_match.data(), text + m0, m1 - m0) == 0;
    if (!*same) {
      have_prev = false;
      if (!dp.GroupsAt(line, cut_at, m0, m1, ds) && !dp.Exec(line, 0, cut_at, ds)) return false;
      have_prev = true;
      prev_from = m0;
      prev_before = before;
      prev_after = after;
      prev_match.assign(text + m0, m1 - m0);
    }
    return count >= 2 && ds[2] >= 0 && ds[2] != ds[3];
  }
};

/**
 * The bytes a match anchored at the start of the text begins with, a 256-bit set per position
 * (pyre/lead.ts): a few loads to rule out a line RE2 would take a hundred nanoseconds to refuse.
 */
struct Lead {
  std::vector<std::array<uint64_t, 4>> sets;

  /** Whether text may begin a match: shorter than the lead, it cannot. */
  bool Admits(std::string_view text) const {
    if (text.size() < sets.size()) return sets.empty();
    for (size_t i = 0; i < sets.size(); i++) {
      const auto b = static_cast<unsigned char>(text[i]);
      if (!((sets[i][b >> 6] >> (b & 63)) & 1)) return false;
    }
    return true;
  }
};

struct LaneState {
  std::vector<Share> fails;
  // A literal with a non-ASCII character can never be in an ASCII line: its pattern is skipped.
  std::vector<std::string> literals;
  std::vector<bool> reachable;
  // Per failregex: strings one of which every match contains (a group's gate; empty: none), and
  // the bytes an anchored match begins with.
  std::vector<std::vector<std::string>> fail_gates;
  std::vector<Lead> fail_leads;
  // Patterns whose program is an RE2 superset that the caller's bounded matcher confirms.
  std::vector<bool> confirms;
  int max_fail_groups = 0;
  Utf8Text cut;
  std::string cut_bytes;
  std::unique_ptr<int32_t[]> fail_spans;
  // prefregex, when the filter has one: its literal, its groups, and <F-CONTENT>'s group (-1: none).
  Share pref;
  std::string pref_literal;
  std::vector<std::string> pref_gate;
  Lead pref_lead;
  int pref_groups = 0;
  int content = -1;
  // ignoreregexes checked first, each behind its literal (none: process() checks them after).
  std::vector<Share> ignores;
  std::vector<std::string> ignore_literals;
  Scratch<int32_t> ignore_spans;
  DateCursor date;

  /** Row numbers after the date's spans: prefregex's groups, then the failregex's. */
  int Extra() const { return 2 * pref_groups + 2 * max_fail_groups; }
};

using LaneShare = std::shared_ptr<LaneState>;

/**
 * Lanes that read the same lines with the same date template, their dates read once (GroupScan),
 * and their literals looked for once: a member runs only on a line that holds one of its
 * failregexes' literals (and its prefregex's), which is most of fifty filters on most lines.
 */
struct GroupState {
  std::vector<LaneShare> members;
  DateCursor date;
  int extra = 0;
  // 64-bit words of a member bit set.
  size_t words = 0;
  // Every member's literals in one set, marked with the members they let through: bit k of the
  // first `words` words for member k's prefregex gate, of the next `words` for its failregexes'.
  // Null when there are none: then every member runs on every line.
  std::unique_ptr<LiteralSet> gate;
  // Members with a reachable failregex (or first-checked ignoreregex) that has no literal: every
  // line is a candidate; and members a line must pass the prefregex gate of.
  std::vector<uint64_t> always;
  std::vector<uint64_t> pref_gated;
  // The marks of the line Look() read; then its candidates.
  std::vector<uint64_t> hits;
  std::vector<uint64_t> candidates;
  std::string cut_bytes;

  /**
   * Whether the set can gate on these strings (any of which a match holds): some, and none
   * shorter than the set takes. A member with a shorter one runs on every line; such a string
   * (3proxy's is a space) is in most lines anyway.
   */
  static bool Gating(const std::vector<std::string>& gate) {
    if (gate.empty()) return false;
    for (const std::string& s : gate)
      if (!Findable(s)) return false;
    return true;
  }

  /** Whether the set can look for `s`. */
  static bool Findable(const std::string& s) { return s.size() >= LiteralSet::kMinLength; }

  /** Builds the gate from the members' literals; false (no gate) when there is none to build. */
  bool Gate() {
    const size_t n = members.size();
    words = (n + 63) / 64;
    always.assign(words, 0);
    pref_gated.assign(words, 0);
    hits.assign(2 * words, 0);
    candidates.assign(words, 0);
    auto set = std::make_unique<LiteralSet>(2 * words);
    bool any_literal = false;
    for (size_t k = 0; k < n; k++) {
      const LaneState& m = *members[k];
      const uint64_t bit = uint64_t{1} << (k % 64);
      if (m.pref && Gating(m.pref_gate)) {
        for (const std::string& lit : m.pref_gate) set->Add(lit, k);
        any_literal = true;
        // A first-checked ignoreregex's outcome comes before prefregex: its lines need the member.
        if (m.ignores.empty()) pref_gated[k / 64] |= bit;
      }
      bool any = false;
      for (size_t i = 0; i < m.fails.size(); i++) {
        if (!m.reachable[i]) continue;
        if (!Gating(m.fail_gates[i])) {
          any = true;
          continue;
        }
        for (const std::string& lit : m.fail_gates[i]) set->Add(lit, 64 * words + k);
        any_literal = true;
      }
      // A line an ignoreregex checked first takes is an outcome too (ignored): it needs the member.
      for (const std::string& lit : m.ignore_literals) {
        if (!Findable(lit)) {
          any = true;
          continue;
        }
        set->Add(lit, 64 * words + k);
        any_literal = true;
      }
      if (any) always[k / 64] |= bit;
    }
    if (!any_literal || !set->Build()) {
      // No gate: every member on every line.
      for (size_t k = 0; k < n; k++) always[k / 64] |= uint64_t{1} << (k % 64);
      std::fill(pref_gated.begin(), pref_gated.end(), 0);
      return false;
    }
    gate = std::move(set);
    return true;
  }

  /**
   * The members that may match the line (the line without its date), into `candidates`: those
   * whose failregexes have no literal or one the line holds, and whose prefregex gate (if any)
   * it passes.
   */
  void Look(std::string_view line) {
    std::fill(hits.begin(), hits.end(), 0);
    if (gate) gate->Find(line, hits.data());
    for (size_t w = 0; w < words; w++)
      candidates[w] = (always[w] | hits[words + w]) & (~pref_gated[w] | hits[w]);
  }
};

void ReleaseLane(napi_env, void* data, void*) { delete static_cast<LaneShare*>(data); }
void ReleaseGroup(napi_env, void* data, void*) { delete static_cast<GroupState*>(data); }

// Tells a lane's `state` handle from any other External.
const napi_type_tag kLaneTag = {0x2b7d94e1c05a6f38ULL, 0x91c3e8f24d6a0b57ULL};

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IsAscii(const unsigned char* p, size_t n) {
  unsigned char seen = 0;
  for (size_t i = 0; i < n; i++) seen |= p[i];
  return seen < 0x80;
}

bool IsAscii(const std::string& text) {
  return IsAscii(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

/**
 * The complete line at `at` (before `end`): where the next one starts and where this one's text
 * stops (before "\r\n" or "\n"). False when there is none, or it is too long or not ASCII.
 */
bool NextLine(const unsigned char* bytes, size_t at, size_t end, int64_t max_line, size_t* next, size_t* stop) {
  const void* nl = std::memchr(bytes + at, '\n', end - at);
  if (!nl) return false;
  *next = static_cast<size_t>(static_cast<const unsigned char*>(nl) - bytes) + 1;
  *stop = *next - 1;
  if (*stop > at && bytes[*stop - 1] == '\r') (*stop)--;
  return static_cast<int64_t>(*next - 1 - at) <= max_line && IsAscii(bytes + at, *next - 1 - at);
}

/**
 * The filter's part of a line, given `cut`, the line without its date: prefregex and the
 * failregexes on it, as the JS path runs them. Writes row[4] (the failregex that matched, -1, or
 * -(i + 2) for a superset to confirm) and row[5], and the groups after the date's `date_count`.
 */
int MatchCut(LaneState* s, std::string_view cut, int32_t* row, int date_count) {
  int matched = -1;
  row[5] = -1;
  // What the failregexes read: the line without its date, or prefregex's <F-CONTENT> of it when
  // that captured something (an empty or absent content leaves them the whole text).
  std::string_view text(cut);
  for (size_t i = 0; i < s->ignores.size(); i++) {
    const std::string& lit = s->ignore_literals[i];
    if (!lit.empty() && cut.find(lit) == std::string_view::npos) continue;
    s->cut.SetAscii(cut.data(), cut.size());
    if (s->ignores[i]->program->Exec(s->cut, 0, cut.size(), s->ignore_spans.data())) {
      row[4] = kIgnored;
      return kIgnored;
    }
  }
  bool through = true;
  if (s->pref) {
    Program& pp = *s->pref->program;
    int32_t* ps = row + kHead + 2 * date_count;
    through = (s->pref_literal.empty() || cut.find(s->pref_literal) != std::string_view::npos) &&
              s->pref_lead.Admits(cut);
    if (through) {
      s->cut.SetAscii(cut.data(), cut.size());
      through = pp.Exec(s->cut, 0, cut.size(), ps);
    }
    if (through && s->content >= 0 && ps[2 * s->content] >= 0 && ps[2 * s->content + 1] > ps[2 * s->content]) {
      row[5] = ps[2 * s->content];
      text = text.substr(static_cast<size_t>(ps[2 * s->content]),
                         static_cast<size_t>(ps[2 * s->content + 1] - ps[2 * s->content]));
    }
  }
  bool loaded = false;
  for (size_t i = 0; through && i < s->fails.size(); i++) {
    if (!s->reachable[i]) continue;
    const std::string& lit = s->literals[i];
    if (!lit.empty() && text.find(lit) == std::string_view::npos) continue;
    if (!s->fail_leads[i].Admits(text)) continue;
    if (!loaded) {
      s->cut.SetAscii(text.data(), text.size());
      loaded = true;
    }
    if (s->fails[i]->program->Exec(s->cut, 0, text.size(), s->fail_spans.get())) {
      // The superset of a pattern the bounded fallback confirms: the caller takes it from here.
      matched = s->confirms[i] ? -static_cast<int>(i) - 2 : static_cast<int>(i);
      break;
    }
  }
  row[4] = matched;
  if (matched >= 0) {
    int32_t* fs = row + kHead + 2 * date_count + 2 * s->pref_groups;
    const int count = s->fails[static_cast<size_t>(matched)]->program->count();
    for (int i = 0; i < 2 * count; i++) fs[i] = s->fail_spans[i];
  }
  return matched;
}

/** The line without its date [d0, d1) (spaces around it kept): the text the failregexes read. */
std::string_view Cut(std::string* bytes, const char* line, size_t len, size_t d0, size_t d1) {
  // A date at the start of the line (syslog's) leaves the rest of the line as it is: no copy.
  if (d0 == 0) return std::string_view(line + d1, len - d1);
  bytes->assign(line, d0);
  bytes->append(line + d1, len - d1);
  return *bytes;
}

/** MatchCut on the line cut at its date [d0, d1). */
int MatchLine(LaneState* s, const char* line, size_t len, size_t d0, size_t d1, int32_t* row, int date_count) {
  return MatchCut(s, Cut(&s->cut_bytes, line, len, d0, d1), row, date_count);
}

/** A row's head: the line's bounds, whether its date is the row before's, and the date's spans. */
void WriteHead(int32_t* row, size_t at, size_t stop, size_t next, bool same, int member, const int32_t* ds, int date_count) {
  row[0] = static_cast<int32_t>(at);
  row[1] = static_cast<int32_t>(stop);
  row[2] = static_cast<int32_t>(next);
  row[3] = same ? 1 : 0;
  row[4] = -1;
  row[5] = -1;
  row[6] = member;
  for (int i = 0; i < 2 * date_count; i++) row[kHead + i] = ds[i];
}

/** The arguments both scans take: (buf, from, to, date, reach, maxLine, rows, ...). */
struct ScanArgs {
  const unsigned char* bytes = nullptr;
  size_t from = 0;
  size_t to = 0;
  Program* date = nullptr;
  int64_t reach = -1;
  int64_t max_line = 0;
  int32_t* rows = nullptr;
  size_t row_count = 0;
};

bool ReadArgs(const Napi::CallbackInfo& info, ScanArgs* a) {
  Napi::Env env = info.Env();
  if (info.Length() < 7 || !info[0].IsTypedArray() || !info[6].IsTypedArray()) {
    ThrowType(env, "Expected (buf, from, to, date, reach, maxLine, rows)");
    return false;
  }
  Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
  Napi::Int32Array rows = info[6].As<Napi::Int32Array>();
  if (buf.TypedArrayType() != napi_uint8_array || rows.TypedArrayType() != napi_int32_array) {
    ThrowType(env, "Expected a Uint8Array and an Int32Array");
    return false;
  }
  const int64_t from = info[1].As<Napi::Number>().Int64Value();
  const int64_t to = info[2].As<Napi::Number>().Int64Value();
  Share* date = Unwrap(env, info[3]);
  if (!date || from < 0 || to < from || static_cast<size_t>(to) > buf.ByteLength()) {
    ThrowType(env, "Expected a date handle and 0 <= from <= to <= buf.length");
    return false;
  }
  a->bytes = buf.Data();
  a->from = static_cast<size_t>(from);
  a->to = static_cast<size_t>(to);
  a->date = (*date)->program.get();
  a->reach = info[4].As<Napi::Number>().Int64Value();
  a->max_line = info[5].As<Napi::Number>().Int64Value();
  a->rows = rows.Data();
  a->row_count = rows.ElementLength();
  return true;
}

/** scan(buf, from, to, date, reach, maxLine, rows): lines read, one row each. */
Napi::Value Scan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LaneState* s = static_cast<LaneShare*>(info.Data())->get();
  ScanArgs a;
  if (!ReadArgs(info, &a)) return env.Undefined();
  const int date_count = a.date->count();
  const size_t stride = kHead + 2 * static_cast<size_t>(date_count) + static_cast<size_t>(s->Extra());
  const size_t capacity = a.row_count / stride;
  s->date.have_prev = false;
  size_t n = 0;
  size_t at = a.from;
  while (n < capacity && at < a.to) {
    size_t next = 0;
    size_t stop = 0;
    if (!NextLine(a.bytes, at, a.to, a.max_line, &next, &stop)) break;
    const char* line = reinterpret_cast<const char*>(a.bytes + at);
    bool same = false;
    if (!s->date.Read(*a.date, line, stop - at, a.reach, &same)) break;
    const int32_t* ds = s->date.spans.data();
    int32_t* row = a.rows + n * stride;
    WriteHead(row, at, stop, next, same, 0, ds, date_count);
    MatchLine(s, line, stop - at, static_cast<size_t>(ds[2]), static_cast<size_t>(ds[3]), row, date_count);
    n++;
    at = next;
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

/**
 * scan(buf, from, to, date, reach, maxLine, rows, last) for a group: each line's date read once,
 * then each member's part of it. Rows only where there is something to say: a line whose date is
 * not the line before's gets a row of its own (member -1), so the caller keeps the time current;
 * a member whose part did not miss gets one (its row[3] is then 1). last: [0] rows written, [1] 1
 * when the scan stopped at a line off the path (the line that starts at last[4], or at `from`
 * when no line was read), 0 when it read to `to` or filled `rows`;
 * [2..4] the last line read's start, end and next start, then its date's spans. Returns lines read.
 */
Napi::Value GroupScan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* g = static_cast<GroupState*>(info.Data());
  ScanArgs a;
  if (!ReadArgs(info, &a)) return env.Undefined();
  if (info.Length() < 8 || !info[7].IsTypedArray()) return ThrowType(env, "Expected a last-line Int32Array");
  Napi::Int32Array last_array = info[7].As<Napi::Int32Array>();
  const int date_count = a.date->count();
  if (last_array.TypedArrayType() != napi_int32_array || last_array.ElementLength() < 5 + 2 * static_cast<size_t>(date_count)) {
    return ThrowType(env, "Expected a last-line Int32Array of 5 + 2 * date groups");
  }
  int32_t* last = last_array.Data();
  const size_t stride = kHead + 2 * static_cast<size_t>(date_count) + static_cast<size_t>(g->extra);
  const size_t capacity = a.row_count / stride;
  // A line takes at most its date's row and one per member.
  const size_t per_line = 1 + g->members.size();
  g->date.have_prev = false;
  size_t lines = 0;
  size_t rows = 0;
  size_t at = a.from;
  bool stopped = false;
  last[2] = -1;
  while (at < a.to && rows + per_line <= capacity) {
    size_t next = 0;
    size_t stop = 0;
    if (!NextLine(a.bytes, at, a.to, a.max_line, &next, &stop)) {
      stopped = std::memchr(a.bytes + at, '\n', a.to - at) != nullptr;
      break;
    }
    const char* line = reinterpret_cast<const char*>(a.bytes + at);
    bool same = false;
    if (!g->date.Read(*a.date, line, stop - at, a.reach, &same)) {
      stopped = true;
      break;
    }
    const int32_t* ds = g->date.spans.data();
    if (!same) WriteHead(a.rows + rows++ * stride, at, stop, next, false, -1, ds, date_count);
    // The line without its date, cut once for every member: every pattern reads that text, so
    // its literals are looked for there (a date inside the line joins the text on either side).
    const std::string_view cut =
        Cut(&g->cut_bytes, line, stop - at, static_cast<size_t>(ds[2]), static_cast<size_t>(ds[3]));
    g->Look(cut);
    // The candidates, lowest member first.
    for (size_t w = 0; w < g->words; w++) {
      for (uint64_t bits = g->candidates[w]; bits != 0; bits &= bits - 1) {
        const size_t k = 64 * w + static_cast<size_t>(__builtin_ctzll(bits));
        int32_t* row = a.rows + rows * stride;
        if (MatchCut(g->members[k].get(), cut, row, date_count) == -1) continue;
        // The head only for a row kept; MatchCut's outcome in row[4] and row[5] stays.
        const int32_t outcome[2] = {row[4], row[5]};
        WriteHead(row, at, stop, next, true, static_cast<int>(k), ds, date_count);
        row[4] = outcome[0];
        row[5] = outcome[1];
        rows++;
      }
    }
    last[2] = static_cast<int32_t>(at);
    last[3] = static_cast<int32_t>(stop);
    last[4] = static_cast<int32_t>(next);
    for (int i = 0; i < 2 * date_count; i++) last[5 + i] = ds[i];
    lines++;
    at = next;
  }
  last[0] = static_cast<int32_t>(rows);
  last[1] = stopped ? 1 : 0;
  return Napi::Number::New(env, static_cast<double>(lines));
}

}  // namespace

/**
 * One pattern's { gate: string[], lead: Uint8Array | null } into `gate` and `lead`; false with a
 * TypeError pending when it is not that shape. A gate with a non-ASCII string keeps the one it
 * had (its literal): such a string is in no ASCII line, and the set must only ever let more through.
 */
static bool ReadGates(Napi::Env env, Napi::Value value, std::vector<std::string>* gate, Lead* lead) {
  if (!value.IsObject()) {
    ThrowType(env, "Expected { gate: string[], lead: Uint8Array | null }");
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  Napi::Value g = o.Get("gate");
  Napi::Value l = o.Get("lead");
  if (!g.IsArray() || !(l.IsNull() || l.IsTypedArray())) {
    ThrowType(env, "Expected { gate: string[], lead: Uint8Array | null }");
    return false;
  }
  std::vector<std::string> strings;
  bool ascii = true;
  for (uint32_t i = 0; i < g.As<Napi::Array>().Length(); i++) {
    Napi::Value s = g.As<Napi::Array>().Get(i);
    if (!s.IsString() || s.As<Napi::String>().Utf8Value().empty()) {
      ThrowType(env, "Expected gate strings, none empty");
      return false;
    }
    strings.push_back(s.As<Napi::String>().Utf8Value());
    ascii = ascii && IsAscii(strings.back());
  }
  if (ascii) *gate = std::move(strings);
  if (l.IsTypedArray()) {
    Napi::Uint8Array bytes = l.As<Napi::Uint8Array>();
    if (bytes.TypedArrayType() != napi_uint8_array || bytes.ElementLength() % 32 != 0) {
      ThrowType(env, "Expected a lead of 32 bytes a position");
      return false;
    }
    lead->sets.resize(bytes.ElementLength() / 32);
    for (size_t p = 0; p < lead->sets.size(); p++)
      for (size_t w = 0; w < 4; w++) {
        uint64_t word = 0;
        for (size_t b = 0; b < 8; b++) word |= static_cast<uint64_t>(bytes[32 * p + 8 * w + b]) << (8 * b);
        lead->sets[p][w] = word;
      }
  }
  return true;
}

Napi::Value Lane(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) {
    return ThrowType(env, "Expected (failregexes: handle[], literals: string[], prefregex?, confirms?)");
  }
  Napi::Array handles = info[0].As<Napi::Array>();
  Napi::Array literals = info[1].As<Napi::Array>();
  if (handles.Length() != literals.Length()) return ThrowType(env, "Expected one literal per failregex");
  auto state = std::make_shared<LaneState>();
  for (uint32_t i = 0; i < handles.Length(); i++) {
    Share* m = Unwrap(env, handles.Get(i));
    Napi::Value lit = literals.Get(i);
    if (!m || !lit.IsString()) return ThrowType(env, "Expected compile() handles and string literals");
    state->fails.push_back(*m);
    const std::string text = lit.As<Napi::String>().Utf8Value();
    state->reachable.push_back(IsAscii(text));
    state->literals.push_back(text);
    state->max_fail_groups = std::max(state->max_fail_groups, (*m)->program->count());
  }
  state->fail_spans = std::make_unique<int32_t[]>(2 * static_cast<size_t>(std::max(state->max_fail_groups, 1)));
  // Which failregexes are supersets to confirm (a fourth argument, booleans; none when absent).
  for (uint32_t i = 0; i < handles.Length(); i++) {
    bool confirm = false;
    if (info.Length() > 3 && info[3].IsArray()) confirm = info[3].As<Napi::Array>().Get(i).ToBoolean().Value();
    state->confirms.push_back(confirm);
  }
  // prefregex: { handle, literal, content } (content: <F-CONTENT>'s group number, -1 for none).
  if (info.Length() > 2 && info[2].IsObject()) {
    Napi::Object pref = info[2].As<Napi::Object>();
    Share* m = Unwrap(env, pref.Get("handle"));
    Napi::Value lit = pref.Get("literal");
    Napi::Value content = pref.Get("content");
    if (!m || !lit.IsString() || !content.IsNumber()) {
      return ThrowType(env, "Expected prefregex as { handle, literal, content }");
    }
    const std::string text = lit.As<Napi::String>().Utf8Value();
    // A non-ASCII literal is in no ASCII line: such a prefregex takes no line of a lane.
    if (!IsAscii(text)) {
      return ThrowType(env, "Expected an ASCII prefregex literal");
    }
    state->pref = *m;
    state->pref_literal = text;
    state->pref_groups = (*m)->program->count();
    state->content = content.As<Napi::Number>().Int32Value();
  }
  // ignoreregexes to check first (a fifth argument): { handles, literals }, ASCII literals.
  if (info.Length() > 4 && info[4].IsObject()) {
    Napi::Object ig = info[4].As<Napi::Object>();
    Napi::Value hs = ig.Get("handles");
    Napi::Value ls = ig.Get("literals");
    if (!hs.IsArray() || !ls.IsArray() || hs.As<Napi::Array>().Length() != ls.As<Napi::Array>().Length()) {
      return ThrowType(env, "Expected ignoreregexes as { handles, literals }");
    }
    for (uint32_t i = 0; i < hs.As<Napi::Array>().Length(); i++) {
      Share* m = Unwrap(env, hs.As<Napi::Array>().Get(i));
      Napi::Value lit = ls.As<Napi::Array>().Get(i);
      if (!m || !lit.IsString()) return ThrowType(env, "Expected compile() handles and string literals");
      const std::string text = lit.As<Napi::String>().Utf8Value();
      // A non-ASCII literal is in no ASCII line: that ignoreregex never takes one.
      if (!IsAscii(text)) continue;
      state->ignores.push_back(*m);
      state->ignore_literals.push_back(text);
      state->ignore_spans.Reserve(2 * static_cast<size_t>((*m)->program->count()));
    }
  }
  // Gates (a sixth argument): { fails: [{ gate, lead }], pref: { gate, lead } | null }. Without
  // them each pattern's gate is its literal, and nothing is known of how a match begins.
  for (const std::string& lit : state->literals)
    state->fail_gates.push_back(lit.empty() ? std::vector<std::string>{} : std::vector<std::string>{lit});
  state->fail_leads.resize(state->fails.size());
  if (!state->pref_literal.empty()) state->pref_gate = {state->pref_literal};
  if (info.Length() > 5 && info[5].IsObject()) {
    Napi::Object gates = info[5].As<Napi::Object>();
    Napi::Value fails = gates.Get("fails");
    if (!fails.IsArray() || fails.As<Napi::Array>().Length() != handles.Length())
      return ThrowType(env, "Expected gates as { fails: one { gate, lead } per failregex, pref }");
    for (uint32_t i = 0; i < handles.Length(); i++) {
      if (!ReadGates(env, fails.As<Napi::Array>().Get(i), &state->fail_gates[i], &state->fail_leads[i]))
        return env.Undefined();
    }
    Napi::Value pref = gates.Get("pref");
    if (state->pref && pref.IsObject() && !ReadGates(env, pref, &state->pref_gate, &state->pref_lead))
      return env.Undefined();
  }
  // The scan function and the `state` handle (for group()) each hold a share of the state.
  auto* for_scan = new LaneShare(state);
  Napi::Function scan = Napi::Function::New<Scan>(env, "scan", for_scan);
  if (env.IsExceptionPending() || napi_add_finalizer(env, scan, for_scan, ReleaseLane, nullptr, nullptr) != napi_ok) {
    delete for_scan;
    if (!env.IsExceptionPending()) Napi::Error::New(env).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::External<LaneShare> handle =
      Napi::External<LaneShare>::New(env, new LaneShare(state), [](Napi::Env, LaneShare* s) { delete s; });
  if (env.IsExceptionPending()) return env.Undefined();
  if (napi_type_tag_object(env, handle, &kLaneTag) != napi_ok) return env.Undefined();
  Napi::Object out = Napi::Object::New(env);
  out.Set("scan", scan);
  out.Set("state", handle);
  out.Set("head", Napi::Number::New(env, kHead));
  out.Set("failGroups", Napi::Number::New(env, state->max_fail_groups));
  out.Set("prefGroups", Napi::Number::New(env, state->pref_groups));
  out.Set("ignored", Napi::Number::New(env, kIgnored));
  return out;
}

Napi::Value Group(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) return ThrowType(env, "Expected (states: lane().state[])");
  Napi::Array states = info[0].As<Napi::Array>();
  auto group = std::make_unique<GroupState>();
  for (uint32_t i = 0; i < states.Length(); i++) {
    napi_value v = states.Get(i);
    bool tagged = false;
    void* data = nullptr;
    if (napi_check_object_type_tag(env, v, &kLaneTag, &tagged) != napi_ok || !tagged ||
        napi_get_value_external(env, v, &data) != napi_ok) {
      return ThrowType(env, "Expected lane().state handles");
    }
    group->members.push_back(*static_cast<LaneShare*>(data));
    group->extra = std::max(group->extra, group->members.back()->Extra());
  }
  // Without a gate every member runs on every line: slower, the same rows.
  group->Gate();
  GroupState* raw = group.get();
  Napi::Function scan = Napi::Function::New<GroupScan>(env, "scan", raw);
  if (env.IsExceptionPending() || napi_add_finalizer(env, scan, raw, ReleaseGroup, nullptr, nullptr) != napi_ok) {
    if (!env.IsExceptionPending()) Napi::Error::New(env).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  group.release();
  Napi::Object out = Napi::Object::New(env);
  out.Set("scan", scan);
  out.Set("head", Napi::Number::New(env, kHead));
  out.Set("extra", Napi::Number::New(env, raw->extra));
  return out;
}

}  // namespace banhammer

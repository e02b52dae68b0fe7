// Rows written by scan(), one per line read, kHead + 2 * dateGroups + 2 * maxFailGroups numbers each:
//   [0] the line's start in buf   [1] its end (before "\r\n" or "\n")   [2] the next line's start
//   [3] 1 when the date's match is the previous row's, with the same characters around it (so
//       are its groups and its time)
//   [4] the failregex that matched, or -1 (prefregex, when there is one, included); -(i + 2)
//       when the superset of failregex i, one the caller confirms, matched (no spans then)
//   [5] with a prefregex: where <F-CONTENT> starts in the line without its date, when the
//       failregexes read that content; -1 when they read the whole text
//   then the date template's group spans, from the line's start,
//   then prefregex's group spans (when there is one), in the line without its date,
//   then the matching failregex's group spans, in what it read (-1, -1: unset).
// Every line read is ASCII, so UTF-16 offsets are byte offsets and a line is read as Latin-1,
// exactly as the JS path reads it (src/tail/line-splitter.ts decodes ASCII lines that way).

#include "lane.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "matcher.h"
#include "text.h"

namespace banhammer {

namespace {

constexpr int kHead = 6;

struct LaneState {
  std::vector<Share> fails;
  // A literal with a non-ASCII character can never be in an ASCII line: its pattern is skipped.
  std::vector<std::string> literals;
  std::vector<bool> reachable;
  // Patterns whose program is an RE2 superset that the caller's bounded matcher confirms.
  std::vector<bool> confirms;
  int max_fail_groups = 0;
  Utf8Text line;
  Utf8Text cut;
  std::string cut_bytes;
  std::unique_ptr<int32_t[]> date_spans;
  size_t date_spans_size = 0;
  // The last date read in this call: its match, where it starts, the bytes on each side (-1: edge).
  bool have_prev = false;
  size_t prev_from = 0;
  int prev_before = -1;
  int prev_after = -1;
  std::string prev_match;
  std::unique_ptr<int32_t[]> fail_spans;
  // prefregex, when the filter has one: its literal, its groups, and <F-CONTENT>'s group (-1: none).
  Share pref;
  std::string pref_literal;
  int pref_groups = 0;
  int content = -1;
};

void ReleaseState(napi_env, void* data, void*) { delete static_cast<LaneState*>(data); }

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IsAscii(const unsigned char* p, size_t n) {
  unsigned char seen = 0;
  for (size_t i = 0; i < n; i++) seen |= p[i];
  return seen < 0x80;
}

/** scan(buf, from, to, date, reach, maxLine, rows): lines read. */
Napi::Value Scan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* s = static_cast<LaneState*>(info.Data());
  if (info.Length() < 7 || !info[0].IsTypedArray() || !info[6].IsTypedArray()) {
    return ThrowType(env, "Expected (buf, from, to, date, reach, maxLine, rows)");
  }
  Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
  Napi::Int32Array rows = info[6].As<Napi::Int32Array>();
  if (buf.TypedArrayType() != napi_uint8_array || rows.TypedArrayType() != napi_int32_array) {
    return ThrowType(env, "Expected a Uint8Array and an Int32Array");
  }
  const int64_t from = info[1].As<Napi::Number>().Int64Value();
  const int64_t to = info[2].As<Napi::Number>().Int64Value();
  Share* date = Unwrap(env, info[3]);
  const int64_t reach = info[4].As<Napi::Number>().Int64Value();
  const int64_t max_line = info[5].As<Napi::Number>().Int64Value();
  if (!date || from < 0 || to < from || static_cast<size_t>(to) > buf.ByteLength()) {
    return ThrowType(env, "Expected a date handle and 0 <= from <= to <= buf.length");
  }
  Program& dp = *(*date)->program;
  const int date_count = dp.count();
  if (static_cast<size_t>(2 * date_count) > s->date_spans_size) {
    s->date_spans = std::make_unique<int32_t[]>(2 * static_cast<size_t>(date_count));
    s->date_spans_size = 2 * static_cast<size_t>(date_count);
  }
  int32_t* ds = s->date_spans.get();
  const size_t stride = kHead + 2 * static_cast<size_t>(date_count) + 2 * static_cast<size_t>(s->pref_groups) +
                        2 * static_cast<size_t>(s->max_fail_groups);
  const size_t capacity = rows.ElementLength() / stride;
  int32_t* out = rows.Data();
  const unsigned char* bytes = buf.Data();
  s->have_prev = false;

  size_t n = 0;
  size_t at = static_cast<size_t>(from);
  const size_t end = static_cast<size_t>(to);
  while (n < capacity && at < end) {
    const void* nl = std::memchr(bytes + at, '\n', end - at);
    if (!nl) break;
    const size_t next = static_cast<size_t>(static_cast<const unsigned char*>(nl) - bytes) + 1;
    size_t stop = next - 1;
    if (stop > at && bytes[stop - 1] == '\r') stop--;
    const size_t len = stop - at;
    if (static_cast<int64_t>(next - 1 - at) > max_line || !IsAscii(bytes + at, next - 1 - at)) break;
    const char* line = reinterpret_cast<const char*>(bytes + at);
    // The date: the template's whole-line search, the line cut at the template's reach.
    s->line.SetAscii(line, len);
    const size_t cut_at = reach >= 0 && static_cast<size_t>(reach) < len ? static_cast<size_t>(reach) : len;
    // Where the date is, by the DFA alone; then its groups: the previous line's when the match
    // and the character on each side of it (or the text's edge) are the previous line's, since
    // they are all RE2's leftmost-first parse of the match can depend on (two lines in one second
    // share their date); else read.
    size_t m0 = 0;
    size_t m1 = 0;
    if (!dp.Locate(s->line, 0, cut_at, &m0, &m1)) break;
    const int before = m0 > 0 ? bytes[at + m0 - 1] : -1;
    const int after = m1 < cut_at ? bytes[at + m1] : -1;
    const bool same = s->have_prev && m0 == s->prev_from && s->prev_before == before && s->prev_after == after &&
                      s->prev_match.size() == m1 - m0 && std::memcmp(s->prev_match.data(), line + m0, m1 - m0) == 0;
    if (!same) {
      s->have_prev = false;
      if (!dp.GroupsAt(s->line, cut_at, m0, m1, ds) && !dp.Exec(s->line, 0, cut_at, ds)) break;
      s->have_prev = true;
      s->prev_from = m0;
      s->prev_before = before;
      s->prev_after = after;
      s->prev_match.assign(line + m0, m1 - m0);
    }
    // No date, or an empty one (the JS path then reads the line whole): left to the caller.
    if (date_count < 2 || ds[2] < 0 || ds[2] == ds[3]) break;
    int32_t* row = out + n * stride;
    row[0] = static_cast<int32_t>(at);
    row[1] = static_cast<int32_t>(stop);
    row[2] = static_cast<int32_t>(next);
    row[5] = -1;
    row[3] = same ? 1 : 0;
    for (int i = 0; i < 2 * date_count; i++) row[kHead + i] = ds[i];
    // The text the failregexes read: the line without its date (group 1), spaces around it kept.
    const size_t d0 = static_cast<size_t>(ds[2]);
    const size_t d1 = static_cast<size_t>(ds[3]);
    s->cut_bytes.assign(line, d0);
    s->cut_bytes.append(line + d1, len - d1);
    const std::string& cut = s->cut_bytes;
    int matched = -1;
    // What the failregexes read: the line without its date, or prefregex's <F-CONTENT> of it when
    // that captured something (an empty or absent content leaves them the whole text).
    std::string_view text(cut);
    bool through = true;
    if (s->pref) {
      Program& pp = *s->pref->program;
      int32_t* ps = row + kHead + 2 * date_count;
      through = (s->pref_literal.empty() || cut.find(s->pref_literal) != std::string::npos);
      if (through) {
        s->cut.SetAscii(cut.data(), cut.size());
        through = pp.Exec(s->cut, 0, cut.size(), ps);
      }
      if (through && s->content >= 0 && ps[2 * s->content] >= 0 &&
          ps[2 * s->content + 1] > ps[2 * s->content]) {
        row[5] = ps[2 * s->content];
        text = text.substr(static_cast<size_t>(ps[2 * s->content]),
                           static_cast<size_t>(ps[2 * s->content + 1] - ps[2 * s->content]));
      } else {
        row[5] = -1;
      }
    }
    bool loaded = false;
    for (size_t i = 0; through && i < s->fails.size(); i++) {
      if (!s->reachable[i]) continue;
      const std::string& lit = s->literals[i];
      if (!lit.empty() && text.find(lit) == std::string_view::npos) continue;
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
    n++;
    at = next;
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

}  // namespace

Napi::Value Lane(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) {
    return ThrowType(env, "Expected (failregexes: handle[], literals: string[], prefregex?, confirms?)");
  }
  Napi::Array handles = info[0].As<Napi::Array>();
  Napi::Array literals = info[1].As<Napi::Array>();
  if (handles.Length() != literals.Length()) return ThrowType(env, "Expected one literal per failregex");
  auto state = std::make_unique<LaneState>();
  for (uint32_t i = 0; i < handles.Length(); i++) {
    Share* m = Unwrap(env, handles.Get(i));
    Napi::Value lit = literals.Get(i);
    if (!m || !lit.IsString()) return ThrowType(env, "Expected compile() handles and string literals");
    state->fails.push_back(*m);
    const std::string text = lit.As<Napi::String>().Utf8Value();
    state->reachable.push_back(IsAscii(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
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
    if (!IsAscii(reinterpret_cast<const unsigned char*>(text.data()), text.size())) {
      return ThrowType(env, "Expected an ASCII prefregex literal");
    }
    state->pref = *m;
    state->pref_literal = text;
    state->pref_groups = (*m)->program->count();
    state->content = content.As<Napi::Number>().Int32Value();
  }
  const int max_fail_groups = state->max_fail_groups;
  LaneState* raw = state.get();
  Napi::Function scan = Napi::Function::New<Scan>(env, "scan", raw);
  if (env.IsExceptionPending()) return env.Undefined();
  if (napi_add_finalizer(env, scan, raw, ReleaseState, nullptr, nullptr) != napi_ok) {
    Napi::Error::New(env).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  state.release();
  Napi::Object out = Napi::Object::New(env);
  out.Set("scan", scan);
  out.Set("head", Napi::Number::New(env, kHead));
  out.Set("failGroups", Napi::Number::New(env, max_fail_groups));
  out.Set("prefGroups", Napi::Number::New(env, raw->pref_groups));
  return out;
}

}  // namespace banhammer

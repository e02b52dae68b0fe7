// The JS face of a Program: compile(source, caseless?, longest?) returns { exec, test, names, spans }.
// exec() writes the spans of the match and of every group into `spans` and returns a boolean, so
// a search allocates nothing on the JS heap. exec and test are plain functions that carry the
// matcher as their data: no wrapper lookup per call. Each of them and the spans' buffer holds a
// share of the matcher, which goes when the last of the three is collected.
// Calls are synchronous: a search takes well under a microsecond, less than a thread hop.

#ifndef BANHAMMER_RE2_MATCHER_H
#define BANHAMMER_RE2_MATCHER_H

#include <napi.h>

#include <cstdint>
#include <memory>

#include "program.h"
#include "text.h"

namespace banhammer {

/** A compiled pattern as JS holds it: its program, the memory behind `spans`, the shared text. */
struct Matcher {
  std::unique_ptr<Program> program;
  std::unique_ptr<int32_t[]> spans;  // 2 * count entries, the memory behind the JS `spans`
  Utf8Text* text;                    // the addon instance's, shared by its matchers (JS thread only)
};

using Share = std::shared_ptr<Matcher>;

/** The matcher behind a compile() result's `handle`, or null when `value` is none. */
Share* Unwrap(napi_env env, napi_value value);

/**
 * `compile(source: string, caseless?: boolean, longest?: boolean)`; throws RE2's message when it
 * cannot compile. `longest`: leftmost-longest matches (RE2's longest_match) instead of leftmost-first.
 */
Napi::Value Compile(const Napi::CallbackInfo& info);

}  // namespace banhammer

#endif

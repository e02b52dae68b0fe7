// Reading a match's groups with PCRE2's JIT, once RE2's DFA has found the match (program.cc).
// RE2 reads groups with a backtracker (BitState) that costs a microsecond on a log line where its
// DFA took 0.2 us; PCRE2's JIT reads the same groups in about 0.15 us. RE2 stays the judge: PCRE2
// runs only on a text RE2 matched, under a hard step limit, and its answer is taken only when its
// match is RE2's match exactly (same start, same end); anything else (a limit hit, a JIT stack
// exhausted, another match) falls back to RE2's own group reading. So a line still costs RE2's
// linear time plus a bounded constant, and the groups are RE2's wherever the two engines could
// disagree: the caller enables this only for patterns without a repetition of something that can
// match empty (where Perl-style backtrackers and RE2 assign groups differently) and for ASCII text
// (where the character classes of both engines agree). No N-API types in this file.

#ifndef BANHAMMER_RE2_CAPTURES_H
#define BANHAMMER_RE2_CAPTURES_H

#include <cstddef>
#include <memory>
#include <string>

namespace banhammer {

class FastCaptures {
 public:
  /**
   * The JIT-compiled `source` (RE2 syntax, read by PCRE2 with UTF and Unicode properties), or null
   * when PCRE2 is not built in, refuses the source, cannot JIT it, or numbers its groups otherwise.
   */
  static std::unique_ptr<FastCaptures> Compile(const std::string& source, bool caseless, int groups);
  ~FastCaptures();

  /**
   * Groups of the leftmost match in ASCII `bytes[0, end)` searched from `start`, when that match is
   * exactly [from, to): then true, with group i's byte span at offsets[2i], offsets[2i + 1] (-1 when
   * unset). False when it is another match, none, or a limit was hit.
   */
  bool Read(const char* bytes, size_t end, size_t start, size_t from, size_t to, long* offsets) const;

 private:
  FastCaptures() = default;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace banhammer

#endif

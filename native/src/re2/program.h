// One compiled pattern: RE2's UTF-8 program, plus a Latin-1 program that answers for ASCII text
// (why that is exact: program.cc), and for a pattern anchored with ^ the choice, made from its
// recent misses, between one RE2 call and two for a search with groups (Exec). Both choices, like
// both programs, find the same match and groups. No N-API types in this file.

#ifndef BANHAMMER_RE2_PROGRAM_H
#define BANHAMMER_RE2_PROGRAM_H

#include <re2/re2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "captures.h"
#include "text.h"

namespace banhammer {

class Program {
 public:
  /**
   * Compiles `source` as node-re2 does; null with RE2's message in `error` when it cannot. `longest`
   * asks for leftmost-longest matches instead (a date template's prefix closure, date/viable.ts).
   */
  static std::unique_ptr<Program> Compile(const std::string& source, bool caseless, bool longest,
                                          std::string* error);
  /**
   * Lets Exec read the groups of ASCII text with PCRE2's JIT (captures.h) once RE2 found the
   * match. The caller vouches that the pattern repeats nothing that can match empty; this checks
   * the rest (leftmost-first, ASCII source, no escape the two engines read differently).
   */
  void UseFastCaptures(const std::string& source, bool caseless);
  /** Whether Exec may read groups with PCRE2 (it compiles it at the first match that needs it). */
  bool fast_captures() const { return fast_pending_ || fast_ != nullptr; }

  /** Groups, 0 (the whole match) included. */
  int count() const { return count_; }
  /** Names by group index; unnamed groups are absent. */
  const std::map<int, std::string>& names() const { return utf8_->CapturingGroupNames(); }

  /**
   * RE2 UNANCHORED search of text[first, last) (UTF-16 offsets), where the text ends at `last` and
   * what precedes `first` is context for ^ and \b. On a match writes each group's UTF-16 span into
   * spans[2i], spans[2i+1] (-1, -1 for a group that took no part).
   */
  bool Exec(const Utf8Text& text, size_t first, size_t last, int32_t* spans);
  /** Whether the whole text contains a match. */
  bool Test(const Utf8Text& text) const;
  /**
   * Exec without the groups: where the match of text[first, last) is, in bytes, found by RE2's
   * DFA alone. (Its groups are then a function of the match's text and of the character on each
   * side of it, or the text's edge: lane.cc reuses a line's groups for the next line on that.)
   */
  bool Locate(const Utf8Text& text, size_t first, size_t last, size_t* from, size_t* to) const;
  /**
   * Exec's spans for the match Locate() found at bytes [from, to) of text[0, last) (ASCII text):
   * the groups of the match alone, as Exec's second step reads them.
   */
  bool GroupsAt(const Utf8Text& text, size_t last, size_t from, size_t to, int32_t* spans);

 private:
  Program() = default;
  const re2::RE2& For(const Utf8Text& text) const { return text.ascii() && ascii_ ? *ascii_ : *utf8_; }
  /** The last match's groups (groups_), as UTF-16 spans of `text`: -1, -1 for a group unset. */
  void WriteSpans(const Utf8Text& text, int32_t* spans) const;
  /** Notes an anchored pattern's search outcome; picks one step or two for the next ones. */
  void Count(bool found);

  static constexpr uint32_t kWindow = 64;

  std::unique_ptr<re2::RE2> utf8_;
  std::unique_ptr<re2::RE2> ascii_;  // null when the source is not ASCII or Latin-1 refuses it
  std::unique_ptr<re2::StringPiece[]> groups_;
  std::unique_ptr<FastCaptures> fast_;
  // JIT-compiling takes up to a millisecond per pattern, and most of a filter's patterns never
  // match a given log: PCRE2 is compiled from this source at the first match, not at load.
  std::string fast_source_;
  bool fast_caseless_ = false;
  bool fast_pending_ = false;
  std::unique_ptr<long[]> offsets_;  // FastCaptures::Read's output, 2 * count_
  int count_ = 0;
  bool anchored_ = false;   // ^ first: RE2 would skip its DFA when asked for groups
  bool longest_ = false;
  bool two_steps_ = false;  // search with the DFA first, then read the groups (see Exec)
  uint32_t searches_ = 0;   // in the current window
  uint32_t misses_ = 0;
};

}  // namespace banhammer

#endif

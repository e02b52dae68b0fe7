// Why a second, Latin-1 program. RE2 runs one program per encoding; the UTF-8 one spells every
// Unicode class (\pL, \p{Nd}, Python's \s) out as byte sequences, thousands of instructions, which
// the engines that find the groups (BitState, NFA) walk at every character: a default date
// template with its groups costs 0.9 us that way and 0.2 us with the Latin-1 program, about a
// hundred instructions. On ASCII text (every byte < 0x80) the two programs match alike:
//  - an ASCII source reads as the same runes in both encodings, and an escape above \x{FF} makes
//    the Latin-1 compile fail (then only the UTF-8 program is used);
//  - every class keeps its ASCII members: Latin-1 only drops members above U+00FF;
//  - ., \b, ^ and $ see the same bytes;
//  - case folding adds the same ASCII letters: Latin-1 folds A-Z with a-z, and the only non-ASCII
//    runes Unicode folds onto ASCII, U+017F (s) and U+212A (k), sit only in classes (\pL, \p{Lu},
//    \p{Latin}, ...) that already hold their ASCII partners.
// Groups, names, and so spans, are the same; the differential tests compare both engines.

#include "program.h"

#include <cctype>

namespace banhammer {

namespace {

std::unique_ptr<re2::RE2> CompileAscii(const std::string& source, re2::RE2::Options options,
                                       const re2::RE2& utf8) {
  for (unsigned char c : source) {
    if (c >= 0x80) return nullptr;
  }
  options.set_encoding(re2::RE2::Options::EncodingLatin1);
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(source.data(), source.size()), options);
  if (!re->ok() || re->NumberOfCapturingGroups() != utf8.NumberOfCapturingGroups() ||
      re->CapturingGroupNames() != utf8.CapturingGroupNames()) {
    return nullptr;
  }
  return re;
}

// Whether RE2 reads the pattern as anchored at the start: a ^ or \A first, after opening
// groups and flag groups, with no (?m) that would make ^ a line start. A wrong guess costs
// speed only (Exec's two ways find the same match).
bool AnchoredAtStart(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] == '(') {
    if (s.compare(i, 2, "(?") != 0) {
      i++;
      continue;
    }
    size_t j = i + 2;
    bool on = true;
    for (; j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == '-'); j++) {
      if (s[j] == '-') on = false;
      if (s[j] == 'm' && on) return false;
    }
    if (j >= s.size() || (s[j] != ')' && s[j] != ':')) return false;  // (?P<name>, look-arounds
    i = j + 1;
  }
  return s.compare(i, 1, "^") == 0 || s.compare(i, 2, "\\A") == 0;
}

// Escapes RE2 and PCRE2 both accept but read differently (\s and \v take VT in PCRE2 only;
// \C is a byte in RE2) or that only one of them has: the groups stay with RE2 when one appears.
bool SameInBothEngines(const std::string& s) {
  for (size_t i = 0; i < s.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) return false;
    if (c != '\\' || i + 1 >= s.size()) continue;
    switch (s[++i]) {
      case 's': case 'S': case 'v': case 'V': case 'h': case 'H': case 'R': case 'N': case 'X':
      case 'C': case 'K': case 'G': case 'Z':
        return false;
      default:
        break;
    }
  }
  return true;
}

}  // namespace

void Program::UseFastCaptures(const std::string& source, bool caseless) {
  // Leftmost-longest has no backtracking counterpart; a lone group 0 is read by the DFA already.
  if (longest_ || count_ < 2 || !SameInBothEngines(source)) return;
  fast_source_ = source;
  fast_caseless_ = caseless;
  fast_pending_ = true;
}

std::unique_ptr<Program> Program::Compile(const std::string& source, bool caseless, bool longest,
                                          std::string* error) {
  // node-re2's options: everything RE2's default but the case flag; errors are returned, not logged.
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!caseless);
  options.set_longest_match(longest);
  std::unique_ptr<Program> p(new Program());
  p->utf8_ = std::make_unique<re2::RE2>(re2::StringPiece(source.data(), source.size()), options);
  if (!p->utf8_->ok()) {
    *error = p->utf8_->error();
    return nullptr;
  }
  p->ascii_ = CompileAscii(source, options, *p->utf8_);
  p->count_ = p->utf8_->NumberOfCapturingGroups() + 1;
  p->anchored_ = AnchoredAtStart(source);
  p->longest_ = longest;
  p->two_steps_ = p->anchored_;
  p->groups_ = std::make_unique<re2::StringPiece[]>(static_cast<size_t>(p->count_));
  return p;
}

bool Program::Exec(const Utf8Text& text, size_t first, size_t last, int32_t* spans) {
  const char* bytes = text.bytes();
  const size_t end = text.ByteOf(last);
  const re2::RE2& re = For(text);
  // Cut at the end, so $ matches there; the start is a position in it, so ^ and \b see before it.
  // This is node-re2's lastIndex on a Buffer cut at the end.
  const re2::StringPiece subject(bytes, end);
  const size_t start = text.ByteOf(first);
  bool found;
  if (fast_pending_ && text.ascii()) {
    // First use: compile now. If PCRE2 refuses, RE2 reads the groups from here on.
    fast_pending_ = false;
    fast_ = FastCaptures::Compile(fast_source_, fast_caseless_, count_);
    if (fast_) offsets_ = std::make_unique<long[]>(2 * static_cast<size_t>(count_));
    std::string().swap(fast_source_);
  }
  if (fast_ && text.ascii()) {
    // RE2's DFA says whether and where; PCRE2 reads the groups of that match (captures.h).
    re2::StringPiece& whole = groups_[0];
    if (!re.Match(subject, start, end, re2::RE2::UNANCHORED, &whole, 1)) return false;
    const size_t from = static_cast<size_t>(whole.data() - bytes);
    const size_t to = from + whole.size();
    if (fast_->Read(bytes, end, start, from, to, offsets_.get())) {
      for (int i = 0; i < 2 * count_; i++) spans[i] = static_cast<int32_t>(offsets_[i]);  // ASCII: units are bytes
      return true;
    }
    found = re.Match(subject, from, to, re2::RE2::ANCHOR_BOTH, groups_.get(), count_) ||
            re.Match(subject, start, end, re2::RE2::UNANCHORED, groups_.get(), count_);
  } else if (count_ > 1 && two_steps_) {
    // RE2's DFA finds the match, then the groups are read from the match alone (ANCHOR_BOTH:
    // the parse spanning exactly the match, which is the leftmost-first parse as that one ends
    // there). RE2 takes these two steps itself for an unanchored pattern, and for an anchored one
    // on a long text; on a short one it skips the DFA and lets BitState walk the whole text.
    re2::StringPiece& whole = groups_[0];
    found = re.Match(subject, start, end, re2::RE2::UNANCHORED, &whole, 1);
    if (found) {
      const size_t from = static_cast<size_t>(whole.data() - bytes);
      // The second step cannot miss; were it to, the one-step answer stands.
      found = re.Match(subject, from, from + whole.size(), re2::RE2::ANCHOR_BOTH, groups_.get(), count_) ||
              re.Match(subject, start, end, re2::RE2::UNANCHORED, groups_.get(), count_);
    }
  } else {
    found = re.Match(subject, start, end, re2::RE2::UNANCHORED, groups_.get(), count_);
  }
  if (anchored_) Count(found);
  if (!found) return false;
  WriteSpans(text, spans);
  return true;
}

void Program::WriteSpans(const Utf8Text& text, int32_t* spans) const {
  const char* bytes = text.bytes();
  for (int i = 0; i < count_; i++) {
    const re2::StringPiece& g = groups_[i];
    if (g.data() == nullptr) {
      spans[2 * i] = -1;
      spans[2 * i + 1] = -1;
      continue;
    }
    const size_t from = static_cast<size_t>(g.data() - bytes);
    spans[2 * i] = static_cast<int32_t>(text.UnitOf(from));
    spans[2 * i + 1] = static_cast<int32_t>(text.UnitOf(from + g.size()));
  }
}

void Program::Count(bool found) {
  // An anchored pattern searched for its groups in one step pays a BitState walk for a miss (2 us
  // on a failregex line that passed the literal check) where the DFA alone would answer (0.3 us),
  // and pays the DFA on top of the walk for a hit in two steps. Which way is cheaper depends on
  // the log, so each window of searches picks the way for the next: two steps while misses are
  // one in eight or more.
  misses_ += found ? 0 : 1;
  if (++searches_ < kWindow) return;
  two_steps_ = misses_ * 8 >= kWindow;
  searches_ = 0;
  misses_ = 0;
}

bool Program::Locate(const Utf8Text& text, size_t first, size_t last, size_t* from, size_t* to) const {
  const char* bytes = text.bytes();
  const size_t end = text.ByteOf(last);
  re2::StringPiece whole;
  if (!For(text).Match(re2::StringPiece(bytes, end), text.ByteOf(first), end, re2::RE2::UNANCHORED, &whole, 1)) {
    return false;
  }
  *from = static_cast<size_t>(whole.data() - bytes);
  *to = *from + whole.size();
  return true;
}

bool Program::GroupsAt(const Utf8Text& text, size_t last, size_t from, size_t to, int32_t* spans) {
  const re2::StringPiece subject(text.bytes(), text.ByteOf(last));
  // The parse spanning exactly the match, which is the leftmost-first parse as that one ends there.
  if (!For(text).Match(subject, from, to, re2::RE2::ANCHOR_BOTH, groups_.get(), count_)) return false;
  WriteSpans(text, spans);
  return true;
}

bool Program::Test(const Utf8Text& text) const {
  return For(text).Match(re2::StringPiece(text.bytes(), text.size()), 0, text.size(), re2::RE2::UNANCHORED,
                         nullptr, 0);
}

}  // namespace banhammer

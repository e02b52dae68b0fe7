// Which of many strings occur in a text, in one pass over it: the gate of a group of lanes
// (lane.cc, GroupScan), where fifty filters' literals are looked for in every line.
// Each string is known by its first four bytes (its anchor). The pass reads the four bytes at
// each place of the text and looks them up in a 4 KiB bit table of anchors; only where one is
// set does it look the anchor up and compare the strings that start with it. Places do not
// depend on each other, so the processor overlaps them: ~90 ns for a syslog line. An
// Aho-Corasick automaton before it stepped from state to state through a table of ~300 KiB,
// each step waiting on the last (~130 ns), and an RE2::Set's many-match search before that took
// ~200 (bench/figures/many-jails.mjs).
// Each string carries marks (bits); Find() ORs together the marks of every string it finds.

#ifndef BANHAMMER_RE2_LITERAL_SET_H
#define BANHAMMER_RE2_LITERAL_SET_H

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace banhammer {

class LiteralSet {
 public:
  /** The shortest string a set takes: an anchor's four bytes. */
  static constexpr size_t kMinLength = 4;

  /** `words`: how many 64-bit words a string's marks take. */
  explicit LiteralSet(size_t words) : words_(words) {}

  /** Gives `s` (kMinLength bytes or more) the mark bit `mark` (< 64 * words); before Build(). */
  void Add(std::string_view s, size_t mark);

  /** Makes the tables; false (and Find() unusable) when there are no strings. */
  bool Build();

  /** ORs into `marks` (`words` words) the marks of every string that occurs in `text`. */
  void Find(std::string_view text, uint64_t* marks) const {
    if (text.size() < kMinLength) return;
    const char* p = text.data();
    const size_t last = text.size() - kMinLength;
    for (size_t i = 0; i <= last; i++) {
      const uint32_t anchor = Load(p + i);
      const uint32_t h = Hash(anchor);
      if ((bits_[h >> 6] >> (h & 63)) & 1) Check(anchor, text, i, marks);
    }
  }

 private:
  struct Entry {
    std::string text;
    std::vector<uint64_t> marks;
  };

  static uint32_t Load(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }

  /** An anchor's place in the bit table (kBitsLog2 bits). */
  static uint32_t Hash(uint32_t anchor) { return (anchor * 0x9E3779B1u) >> (32 - kBitsLog2); }

  /** The strings with this anchor that start at `at` of `text`. */
  void Check(uint32_t anchor, std::string_view text, size_t at, uint64_t* marks) const;

  static constexpr uint32_t kBitsLog2 = 15;

  size_t words_;
  std::vector<Entry> entries_;
  // The anchors' bits; then, by anchor (open addressing, a power of two of slots), the range of
  // entries_ (sorted by anchor) that start with it.
  std::vector<uint64_t> bits_;
  std::vector<uint32_t> slot_anchor_;
  std::vector<uint32_t> slot_from_;
  std::vector<uint32_t> slot_to_;
  uint32_t slot_mask_ = 0;
};

}  // namespace banhammer

#endif

// Which of many strings occur in a text, in one pass over it: the gate of a group of lanes
// (lane.cc, GroupScan), where fifty filters' literals are looked for in every line. An
// Aho-Corasick automaton, made dense over the bytes the strings use: each byte of the text is
// one table step. It replaced an RE2::Set, whose many-match search cost about 200 ns a syslog
// line, twice what the rest of a group's overhead did (bench/figures/many-jails.mjs).
// Each string carries marks (bits); Find() ORs together the marks of every string it finds.

#ifndef BANHAMMER_RE2_LITERAL_SET_H
#define BANHAMMER_RE2_LITERAL_SET_H

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace banhammer {

class LiteralSet {
 public:
  /** `words`: how many 64-bit words a string's marks take. */
  explicit LiteralSet(size_t words) : words_(words) {}

  /** Gives `s` (not empty) the mark bit `mark` (< 64 * words); before Build(). */
  void Add(std::string_view s, size_t mark);

  /** Makes the table; false (and Find() unusable) when there are no strings or too many states. */
  bool Build();

  /** ORs into `marks` (`words` words) the marks of every string that occurs in `text`. */
  void Find(std::string_view text, uint64_t* marks) const {
    const uint32_t* next = next_.data();
    const uint8_t* cls = classes_.data();
    uint32_t row = 0;  // the state's number times the class count
    for (const char c : text) {
      const uint32_t step = next[row + cls[static_cast<uint8_t>(c)]];
      row = step & ~kFound;
      if (step & kFound) {
        const uint64_t* m = &masks_[static_cast<size_t>(out_[row / class_count_]) * words_];
        for (size_t w = 0; w < words_; w++) marks[w] |= m[w];
      }
    }
  }

 private:
  struct Node {
    std::array<int32_t, 256> child;
    int32_t fail = 0;
    std::vector<uint64_t> marks;
  };

  // Set in a step whose state has marks, so the text's bytes cost no look-up of their own.
  static constexpr uint32_t kFound = 1u << 31;

  size_t words_;
  std::vector<Node> trie_;
  uint32_t class_count_ = 1;
  std::array<uint8_t, 256> classes_{};
  // Per state and class, the next state's row (with kFound); per state, its marks' index in masks_.
  std::vector<uint32_t> next_;
  std::vector<uint32_t> out_;
  std::vector<uint64_t> masks_;
};

}  // namespace banhammer

#endif

#include "literal-set.h"

#include <algorithm>

namespace banhammer {

void LiteralSet::Add(std::string_view s, size_t mark) {
  if (s.size() < kMinLength || mark >= 64 * words_) return;
  auto same = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.text == s; });
  if (same == entries_.end()) {
    entries_.push_back(Entry{std::string(s), std::vector<uint64_t>(words_, 0)});
    same = entries_.end() - 1;
  }
  same->marks[mark / 64] |= uint64_t{1} << (mark % 64);
}

bool LiteralSet::Build() {
  if (entries_.empty()) return false;
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return Load(a.text.data()) < Load(b.text.data()); });
  bits_.assign((size_t{1} << kBitsLog2) / 64, 0);
  size_t distinct = 0;
  for (size_t i = 0; i < entries_.size(); i++) {
    const uint32_t h = Hash(Load(entries_[i].text.data()));
    bits_[h >> 6] |= uint64_t{1} << (h & 63);
    if (i == 0 || Load(entries_[i].text.data()) != Load(entries_[i - 1].text.data())) distinct++;
  }
  size_t slots = 4;
  while (slots < 2 * distinct) slots *= 2;
  slot_mask_ = static_cast<uint32_t>(slots - 1);
  slot_anchor_.assign(slots, 0);
  slot_from_.assign(slots, 0);
  slot_to_.assign(slots, 0);  // 0: an empty slot (a range is never empty)
  for (size_t i = 0; i < entries_.size();) {
    const uint32_t anchor = Load(entries_[i].text.data());
    size_t j = i;
    while (j < entries_.size() && Load(entries_[j].text.data()) == anchor) j++;
    uint32_t s = Hash(anchor) & slot_mask_;
    while (slot_to_[s] != 0) s = (s + 1) & slot_mask_;
    slot_anchor_[s] = anchor;
    slot_from_[s] = static_cast<uint32_t>(i);
    slot_to_[s] = static_cast<uint32_t>(j);
    i = j;
  }
  return true;
}

void LiteralSet::Check(uint32_t anchor, std::string_view text, size_t at, uint64_t* marks) const {
  uint32_t s = Hash(anchor) & slot_mask_;
  while (slot_to_[s] != 0 && slot_anchor_[s] != anchor) s = (s + 1) & slot_mask_;
  for (uint32_t e = slot_from_[s]; e < slot_to_[s]; e++) {
    const Entry& entry = entries_[e];
    if (text.size() - at < entry.text.size() ||
        std::memcmp(text.data() + at, entry.text.data(), entry.text.size()) != 0)
      continue;
    for (size_t w = 0; w < words_; w++) marks[w] |= entry.marks[w];
  }
}

}  // namespace banhammer

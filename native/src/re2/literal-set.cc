#include "literal-set.h"

#include <map>

namespace banhammer {

namespace {
// The table's size bound (states times byte classes): 16 MiB. Fifty stock filters make ~1,500
// states of ~50 classes.
constexpr size_t kMaxCells = size_t{1} << 22;
}  // namespace

void LiteralSet::Add(std::string_view s, size_t mark) {
  if (s.empty() || mark >= 64 * words_) return;
  if (trie_.empty()) trie_.push_back(Node{{}, 0, std::vector<uint64_t>(words_, 0)});
  int32_t at = 0;
  for (const char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (trie_[at].child[b] == 0) {
      trie_[at].child[b] = static_cast<int32_t>(trie_.size());
      trie_.push_back(Node{{}, 0, std::vector<uint64_t>(words_, 0)});
    }
    at = trie_[at].child[b];
  }
  trie_[at].marks[mark / 64] |= uint64_t{1} << (mark % 64);
}

bool LiteralSet::Build() {
  if (trie_.size() < 2) return false;
  // Bytes no string holds share class 0: from any state they lead back to the root.
  std::array<bool, 256> used{};
  for (const Node& n : trie_)
    for (int b = 0; b < 256; b++) used[b] = used[b] || n.child[b] != 0;
  class_count_ = 1;
  for (int b = 0; b < 256; b++) classes_[b] = used[b] ? static_cast<uint8_t>(class_count_++) : 0;
  if (class_count_ > 255 || trie_.size() * class_count_ > kMaxCells) return false;
  // A representative byte of each class, to step by class below.
  std::vector<int> byte_of(class_count_, 0);
  for (int b = 0; b < 256; b++) byte_of[classes_[b]] = b;
  // Breadth first: a state's failure state (its longest proper suffix that is a prefix of some
  // string) is shallower, so done; its marks take those of that suffix, and a byte it has no
  // child for goes where the suffix's state goes.
  const size_t C = class_count_;
  std::vector<uint32_t> go(trie_.size() * C, 0);
  std::vector<int32_t> queue;
  for (size_t c = 1; c < C; c++) {
    const int32_t v = trie_[0].child[byte_of[c]];
    go[c] = static_cast<uint32_t>(v);
    if (v != 0) queue.push_back(v);
  }
  for (size_t q = 0; q < queue.size(); q++) {
    const int32_t u = queue[q];
    Node& n = trie_[u];
    for (size_t w = 0; w < words_; w++) n.marks[w] |= trie_[n.fail].marks[w];
    for (size_t c = 1; c < C; c++) {
      const int32_t v = n.child[byte_of[c]];
      const uint32_t via_fail = go[static_cast<size_t>(n.fail) * C + c];
      if (v == 0) {
        go[static_cast<size_t>(u) * C + c] = via_fail;
        continue;
      }
      trie_[v].fail = static_cast<int32_t>(via_fail);
      go[static_cast<size_t>(u) * C + c] = static_cast<uint32_t>(v);
      queue.push_back(v);
    }
  }
  // Marks stored once per distinct set; index 0 is no marks.
  std::map<std::vector<uint64_t>, uint32_t> index{{std::vector<uint64_t>(words_, 0), 0}};
  masks_.assign(words_, 0);
  out_.assign(trie_.size(), 0);
  for (size_t s = 0; s < trie_.size(); s++) {
    const auto [it, added] = index.emplace(trie_[s].marks, static_cast<uint32_t>(index.size()));
    if (added) masks_.insert(masks_.end(), trie_[s].marks.begin(), trie_[s].marks.end());
    out_[s] = it->second;
  }
  next_.assign(go.size(), 0);
  for (size_t i = 0; i < go.size(); i++) {
    const uint32_t to = go[i];
    next_[i] = static_cast<uint32_t>(to * C) | (out_[to] != 0 ? kFound : 0);
  }
  trie_.clear();
  trie_.shrink_to_fit();
  return true;
}

}  // namespace banhammer

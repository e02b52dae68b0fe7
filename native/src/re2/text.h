// One JS string, as RE2 reads it: UTF-8 bytes converted from the string's UTF-16 code units,
// with the maps between the two kinds of offset. No N-API types in this file.
// Offsets follow Node's Buffer exactly, so spans equal what the node-re2 + Buffer code computed:
// a lone surrogate becomes U+FFFD (3 bytes); a UTF-16 offset between the two halves of a pair is
// Buffer.byteLength(s.slice(0, i)), the pair's start + 3; a byte offset inside a character is
// buf.toString('utf8', 0, b).length, the units before it + 1. ASCII text (the usual log line)
// skips the maps: there every offset is its own.

#ifndef BANHAMMER_RE2_TEXT_H
#define BANHAMMER_RE2_TEXT_H

#include <cstddef>
#include <cstdint>
#include <memory>

namespace banhammer {

/** A growable array that keeps its storage between uses and never zero-fills it. */
template <typename T>
class Scratch {
 public:
  /** Room for at least `n` elements; earlier contents are not kept. */
  T* Reserve(size_t n) {
    if (n > capacity_) {
      size_t grown = capacity_ * 2 > n ? capacity_ * 2 : n;
      data_.reset(new T[grown]);
      capacity_ = grown;
    }
    return data_.get();
  }
  T* data() const { return data_.get(); }

 private:
  std::unique_ptr<T[]> data_;
  size_t capacity_ = 0;
};

class Utf8Text {
 public:
  /** Where the caller writes up to `n` UTF-16 units before calling Encode (one more for a NUL). */
  char16_t* Units(size_t n) { return units_.Reserve(n + 1); }

  /** Converts the first `n` units written to Units(); `maps`: also build the offset maps. */
  void Encode(size_t n, bool maps);
  /** Takes `n` bytes the caller knows are ASCII as the text (lane.cc: a line read from a file). */
  void SetAscii(const char* bytes, size_t n);

  const char* bytes() const { return bytes_.data(); }
  size_t size() const { return size_; }
  bool ascii() const { return ascii_; }

  /** Byte offset of UTF-16 offset `unit` (at most the number of units encoded). */
  size_t ByteOf(size_t unit) const { return ascii_ ? unit : byte_of_unit_.data()[unit]; }
  /** UTF-16 offset of byte offset `byte` (at most size()). */
  size_t UnitOf(size_t byte) const { return ascii_ ? byte : unit_of_byte_.data()[byte]; }

 private:
  void EncodeWide(const char16_t* units, size_t n, bool maps);

  Scratch<char16_t> units_;
  Scratch<char> bytes_;
  Scratch<uint32_t> byte_of_unit_;
  Scratch<uint32_t> unit_of_byte_;
  size_t size_ = 0;
  bool ascii_ = true;
};

}  // namespace banhammer

#endif

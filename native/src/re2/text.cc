// UTF-16 to UTF-8 as Node's Buffer.from(string, 'utf8') does it, with both offset maps.

#include "text.h"

namespace banhammer {

namespace {

bool IsHigh(uint32_t u) { return u >= 0xd800 && u <= 0xdbff; }
bool IsLow(uint32_t u) { return u >= 0xdc00 && u <= 0xdfff; }

}  // namespace

void Utf8Text::Encode(size_t n, bool maps) {
  const char16_t* in = units_.data();
  // Three bytes per unit at most (a pair is two units and four bytes).
  char* out = bytes_.Reserve(n * 3 + 1);
  // One pass narrows and notes whether any unit was not ASCII; the compiler vectorises it.
  uint32_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    seen |= in[i];
    out[i] = static_cast<char>(in[i]);
  }
  if (seen < 0x80) {
    ascii_ = true;
    size_ = n;
    return;
  }
  ascii_ = false;
  EncodeWide(in, n, maps);
}

void Utf8Text::SetAscii(const char* bytes, size_t n) {
  char* out = bytes_.Reserve(n + 1);
  for (size_t i = 0; i < n; i++) out[i] = bytes[i];
  ascii_ = true;
  size_ = n;
}

void Utf8Text::EncodeWide(const char16_t* in, size_t n, bool maps) {
  char* out = bytes_.data();
  uint32_t* byte_of = maps ? byte_of_unit_.Reserve(n + 1) : nullptr;
  uint32_t* unit_of = maps ? unit_of_byte_.Reserve(n * 3 + 1) : nullptr;
  size_t b = 0;
  size_t i = 0;
  while (i < n) {
    uint32_t c = in[i];
    size_t units = 1;
    size_t len;
    if (c < 0x80) {
      out[b] = static_cast<char>(c);
      len = 1;
    } else if (c < 0x800) {
      out[b] = static_cast<char>(0xc0 | (c >> 6));
      out[b + 1] = static_cast<char>(0x80 | (c & 0x3f));
      len = 2;
    } else if (IsHigh(c) && i + 1 < n && IsLow(in[i + 1])) {
      uint32_t cp = 0x10000 + ((c - 0xd800) << 10) + (in[i + 1] - 0xdc00);
      out[b] = static_cast<char>(0xf0 | (cp >> 18));
      out[b + 1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out[b + 2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out[b + 3] = static_cast<char>(0x80 | (cp & 0x3f));
      units = 2;
      len = 4;
    } else {
      if (IsHigh(c) || IsLow(c)) c = 0xfffd;  // a lone surrogate, as Buffer encodes it
      out[b] = static_cast<char>(0xe0 | (c >> 12));
      out[b + 1] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out[b + 2] = static_cast<char>(0x80 | (c & 0x3f));
      len = 3;
    }
    if (maps) {
      byte_of[i] = static_cast<uint32_t>(b);
      // Between the halves of a pair: Buffer.byteLength of the slice, whose last unit is then a
      // lone surrogate and counts three bytes.
      if (units == 2) byte_of[i + 1] = static_cast<uint32_t>(b + 3);
      unit_of[b] = static_cast<uint32_t>(i);
      // Inside a character: a decoder ends the cut sequence with one U+FFFD.
      for (size_t k = 1; k < len; k++) unit_of[b + k] = static_cast<uint32_t>(i + 1);
    }
    b += len;
    i += units;
  }
  if (maps) {
    byte_of[n] = static_cast<uint32_t>(b);
    unit_of[b] = static_cast<uint32_t>(n);
  }
  size_ = b;
}

}  // namespace banhammer

// See captures.h. Built with PCRE2 when binding.gyp finds libpcre2-dev (BANHAMMER_PCRE2); without
// it Compile returns null and every group is read by RE2.

#include "captures.h"

#ifdef BANHAMMER_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

namespace banhammer {

#ifdef BANHAMMER_PCRE2

namespace {
// Steps of PCRE2's matcher a single read may take. A log line RE2 matched takes tens to a few
// hundred; a pattern that would make a backtracker run away stops here and RE2 reads its groups.
constexpr uint32_t kMatchLimit = 20000;
constexpr uint32_t kDepthLimit = 2000;
}  // namespace

struct FastCaptures::State {
  pcre2_code* code = nullptr;
  pcre2_match_data* data = nullptr;
  pcre2_match_context* context = nullptr;
  int groups = 0;
  ~State() {
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
    pcre2_code_free(code);
  }
};

std::unique_ptr<FastCaptures> FastCaptures::Compile(const std::string& source, bool caseless, int groups) {
  // RE2 reads the source as Unicode with \p classes; without (?m) its $ is the end of the text
  // only, which PCRE2 calls DOLLAR_ENDONLY. Callers hand ASCII text only, so UTF checks are skipped.
  uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY;
  if (caseless) options |= PCRE2_CASELESS;
  int error = 0;
  PCRE2_SIZE at = 0;
  auto state = std::make_unique<State>();
  state->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), options, &error, &at,
                              nullptr);
  if (state->code == nullptr) return nullptr;
  uint32_t count = 0;
  if (pcre2_pattern_info(state->code, PCRE2_INFO_CAPTURECOUNT, &count) != 0 ||
      static_cast<int>(count) + 1 != groups) {
    return nullptr;
  }
  if (pcre2_jit_compile(state->code, PCRE2_JIT_COMPLETE) != 0) return nullptr;
  state->data = pcre2_match_data_create_from_pattern(state->code, nullptr);
  state->context = pcre2_match_context_create(nullptr);
  if (state->data == nullptr || state->context == nullptr) return nullptr;
  pcre2_set_match_limit(state->context, kMatchLimit);
  pcre2_set_depth_limit(state->context, kDepthLimit);
  state->groups = groups;
  std::unique_ptr<FastCaptures> out(new FastCaptures());
  out->state_ = std::move(state);
  return out;
}

bool FastCaptures::Read(const char* bytes, size_t end, size_t start, size_t from, size_t to, long* offsets) const {
  const State& s = *state_;
  const int rc = pcre2_jit_match(s.code, reinterpret_cast<PCRE2_SPTR>(bytes), end, start, PCRE2_NO_UTF_CHECK,
                                 s.data, s.context);
  if (rc <= 0) return false;  // no match, a limit, or an error: RE2 reads the groups
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(s.data);
  if (ov[0] != from || ov[1] != to) return false;
  for (int i = 0; i < s.groups; i++) {
    // Groups past rc took no part; PCRE2 marks unset ones within rc as PCRE2_UNSET.
    const bool set = i < rc && ov[2 * i] != PCRE2_UNSET;
    offsets[2 * i] = set ? static_cast<long>(ov[2 * i]) : -1;
    offsets[2 * i + 1] = set ? static_cast<long>(ov[2 * i + 1]) : -1;
  }
  return true;
}

#else

struct FastCaptures::State {};

std::unique_ptr<FastCaptures> FastCaptures::Compile(const std::string&, bool, int) { return nullptr; }

bool FastCaptures::Read(const char*, size_t, size_t, size_t, size_t, long*) const { return false; }

#endif

FastCaptures::~FastCaptures() = default;

}  // namespace banhammer

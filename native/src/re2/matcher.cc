// Argument checks ride on the N-API getters' own status (no typeof call per argument); the string
// is read as UTF-16 into the addon's reused buffer and converted once per call.

#include "matcher.h"

#include <algorithm>
#include <memory>
#include <string>

#include "program.h"
#include "text.h"

namespace banhammer {

namespace {

void ReleaseShare(napi_env, void*, void* hint) { delete static_cast<Share*>(hint); }

// Up to this many units, exec reads a string in one N-API call (see Exec).
constexpr size_t kOneCallUnits = 1 << 20;

Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Reads the first `want` UTF-16 units of a string into the text and converts them.
void Load(napi_env env, napi_value value, size_t want, Utf8Text* text, bool maps) {
  size_t copied = 0;
  napi_get_value_string_utf16(env, value, text->Units(want), want + 1, &copied);
  text->Encode(copied, maps);
}

/** `exec(text: string, start: number, end: number): boolean` */
Napi::Value Exec(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  auto* m = static_cast<Matcher*>(info.Data());
  int32_t start = 0;
  int32_t end = 0;
  if (info.Length() < 3) return ThrowType(env, "Expected three arguments: a string and two numbers");
  if (napi_get_value_int32(env, info[1], &start) != napi_ok) {
    return ThrowType(env, "Expected second argument to be a number");
  }
  if (napi_get_value_int32(env, info[2], &end) != napi_ok) {
    return ThrowType(env, "Expected third argument to be a number");
  }
  // The units up to the cut and one past it (which tells whether the cut splits a surrogate
  // pair), read in one call: fewer when the string is shorter, which then gives its length.
  // Callers cut at most at the text's length; a far larger `end` asks for the length first
  // rather than reserving that much room.
  const size_t cut = static_cast<size_t>(std::max(end, 0));
  size_t length = 0;
  size_t copied = 0;
  if (cut < kOneCallUnits) {
    if (napi_get_value_string_utf16(env, info[0], m->text->Units(cut + 1), cut + 2, &copied) != napi_ok) {
      return ThrowType(env, "Expected first argument to be a string");
    }
    length = copied;  // exact when copied <= cut; otherwise the string is longer than the cut, which is all that counts
  } else {
    if (napi_get_value_string_utf16(env, info[0], nullptr, 0, &length) != napi_ok) {
      return ThrowType(env, "Expected first argument to be a string");
    }
    const size_t want = std::min(cut, length) < length ? std::min(cut, length) + 1 : length;
    napi_get_value_string_utf16(env, info[0], m->text->Units(want), want + 1, &copied);
  }
  const size_t last = std::min(cut, length);
  const size_t first = std::min(static_cast<size_t>(std::max(start, 0)), last);
  m->text->Encode(std::min(copied, last < length ? last + 1 : length), true);
  return Napi::Boolean::New(env, m->program->Exec(*m->text, first, last, m->spans.get()));
}

/** `test(text: string): boolean` */
Napi::Value Test(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  auto* m = static_cast<Matcher*>(info.Data());
  size_t length = 0;
  if (info.Length() < 1 || napi_get_value_string_utf16(env, info[0], nullptr, 0, &length) != napi_ok) {
    return ThrowType(env, "Expected first argument to be a string");
  }
  Load(env, info[0], length, m->text, false);
  return Napi::Boolean::New(env, m->program->Test(*m->text));
}

// Ties one share of the matcher to the lifetime of a JS value.
void Hold(Napi::Env env, napi_value value, const Share& m) {
  auto* share = new Share(m);
  if (napi_add_finalizer(env, value, share, ReleaseShare, nullptr, nullptr) != napi_ok) {
    delete share;
    NAPI_THROW_VOID(Napi::Error::New(env));
  }
}

// Tells a handle made here from any other External.
const napi_type_tag kHandleTag = {0x6f1c2a9d3b7e4c51ULL, 0x8a2e5d07c4b9f136ULL};

}  // namespace

Share* Unwrap(napi_env env, napi_value value) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &kHandleTag, &tagged) != napi_ok || !tagged) return nullptr;
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
  return static_cast<Share*>(data);
}

Napi::Value Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    return ThrowType(env, "Expected first argument to be a string");
  }
  bool caseless = false;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsBoolean()) return ThrowType(env, "Expected second argument to be a boolean");
    caseless = info[1].As<Napi::Boolean>().Value();
  }
  bool longest = false;
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    if (!info[2].IsBoolean()) return ThrowType(env, "Expected third argument to be a boolean");
    longest = info[2].As<Napi::Boolean>().Value();
  }
  bool fast = false;
  if (info.Length() > 3 && !info[3].IsUndefined()) {
    if (!info[3].IsBoolean()) return ThrowType(env, "Expected fourth argument to be a boolean");
    fast = info[3].As<Napi::Boolean>().Value();
  }
  std::string error;
  const std::string source = info[0].As<Napi::String>().Utf8Value();
  auto program = Program::Compile(source, caseless, longest, &error);
  if (!program) {
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (fast) program->UseFastCaptures(source, caseless);
  const bool fast_captures = program->fast_captures();
  const int count = program->count();
  auto m = std::make_shared<Matcher>();
  m->spans = std::make_unique<int32_t[]>(2 * static_cast<size_t>(count));
  m->text = env.GetInstanceData<Utf8Text>();
  Napi::Array names = Napi::Array::New(env, static_cast<size_t>(count));
  for (int i = 0; i < count; i++) names.Set(static_cast<uint32_t>(i), Napi::String::New(env, ""));
  for (const auto& [index, name] : program->names()) {
    names.Set(static_cast<uint32_t>(index), Napi::String::New(env, name));
  }
  m->program = std::move(program);

  // The buffer is the matcher's own memory; holding a share keeps it valid as long as JS sees it.
  const size_t bytes = 2 * static_cast<size_t>(count) * sizeof(int32_t);
  auto* share = new Share(m);
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, m->spans.get(), bytes, [](Napi::Env, void*, Share* s) { delete s; }, share);
  if (env.IsExceptionPending()) {
    delete share;
    return env.Undefined();
  }
  Napi::Function exec = Napi::Function::New<Exec>(env, "exec", m.get());
  Hold(env, exec, m);
  Napi::Function test = Napi::Function::New<Test>(env, "test", m.get());
  Hold(env, test, m);
  if (env.IsExceptionPending()) return env.Undefined();

  // The matcher for lane.cc, which runs many lines through it in one call.
  Napi::External<Share> handle =
      Napi::External<Share>::New(env, new Share(m), [](Napi::Env, Share* s) { delete s; });
  if (env.IsExceptionPending()) return env.Undefined();
  if (napi_type_tag_object(env, handle, &kHandleTag) != napi_ok) return env.Undefined();

  Napi::Object out = Napi::Object::New(env);
  out.Set("handle", handle);
  out.Set("exec", exec);
  out.Set("test", test);
  out.Set("names", names);
  out.Set("fastCaptures", Napi::Boolean::New(env, fast_captures));
  out.Set("spans", Napi::Int32Array::New(env, 2 * static_cast<size_t>(count), buffer, 0));
  return out;
}

}  // namespace banhammer

// Module entry: exports compile(), lane(), group() and the libre2 version it was built against. The UTF-8 scratch
// text is one per addon instance (per thread that loads it), shared by that instance's matchers.

#include <napi.h>

#include "lane.h"
#include "matcher.h"
#include "text.h"

#ifndef BANHAMMER_RE2_VERSION
#define BANHAMMER_RE2_VERSION "unknown"
#endif

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new banhammer::Utf8Text());
  exports.Set("compile", Napi::Function::New<banhammer::Compile>(env, "compile"));
  exports.Set("lane", Napi::Function::New<banhammer::Lane>(env, "lane"));
  exports.Set("group", Napi::Function::New<banhammer::Group>(env, "group"));
  exports.Set("libraryVersion", Napi::String::New(env, BANHAMMER_RE2_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(banhammer_re2, Init)

// Module entry: exports the NftContext class and the libnftables version it was built against.

#include <napi.h>

#include "context.h"

#ifndef BANHAMMER_NFT_VERSION
#define BANHAMMER_NFT_VERSION "unknown"
#endif

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NftContext", banhammer::NftContext::Define(env));
  exports.Set("libraryVersion", Napi::String::New(env, BANHAMMER_NFT_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(banhammer_nft, Init)

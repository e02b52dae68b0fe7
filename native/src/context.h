// NftContext: the JS class over one NftWorker. Every method returns a promise that the worker
// thread settles through a thread-safe function; the JS thread never calls libnftables.

#ifndef BANHAMMER_NFT_CONTEXT_H
#define BANHAMMER_NFT_CONTEXT_H

#include <napi.h>

#include <memory>

#include "worker.h"

namespace banhammer {

struct Call;

void DeliverCall(Napi::Env env, Napi::Function, NftWorker*, Call* call);
using Tsfn = Napi::TypedThreadSafeFunction<NftWorker, Call, DeliverCall>;

class NftContext : public Napi::ObjectWrap<NftContext> {
 public:
  static Napi::Function Define(Napi::Env env);

  /** `new NftContext(netns?: string)` */
  explicit NftContext(const Napi::CallbackInfo& info);
  ~NftContext() override;

  /** Called on the JS thread when one of this context's calls has been settled. */
  void Settled(Napi::Env env);

 private:
  Napi::Value Ready(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value List(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Submit(Napi::Env env, Job::Kind kind, std::string input);

  // Shared with the thread-safe function's finalizer, which joins the thread; whichever of the
  // two goes last frees the worker, so neither can outlive it.
  std::shared_ptr<NftWorker> worker_;
  Tsfn tsfn_;
  size_t pending_ = 0;
  bool closed_ = false;
};

}  // namespace banhammer

#endif

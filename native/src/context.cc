// The N-API side of a context: argument checks (types only; TS validates content), promises,
// and keeping the event loop free: the thread-safe function is unref'd while nothing is pending,
// so an idle context never keeps the daemon from exiting.

#include "context.h"

#include <cstring>
#include <utility>

namespace banhammer {

/** A job plus what the JS thread needs to settle it. */
struct Call : Job {
  Call(Kind kind, std::string input, NftContext* owner, Napi::Promise::Deferred deferred)
      : Job(kind, std::move(input)), owner(owner), deferred(deferred) {}
  NftContext* const owner;  // kept alive by Ref() while any call is pending
  Napi::Promise::Deferred deferred;
};

// Runs on the JS thread. `env` is null when Node is tearing the environment down: the promise
// is unreachable then, so the call is only freed.
void DeliverCall(Napi::Env env, Napi::Function, NftWorker*, Call* raw) {
  std::unique_ptr<Call> call(raw);
  if (env == nullptr) return;
  Napi::HandleScope scope(env);
  if (call->ok) {
    if (call->kind == Job::Kind::List) {
      call->deferred.Resolve(Napi::String::New(env, call->output));
    } else {
      call->deferred.Resolve(env.Undefined());
    }
  } else {
    call->deferred.Reject(Napi::Error::New(env, call->error).Value());
  }
  call->owner->Settled(env);
}

Napi::Function NftContext::Define(Napi::Env env) {
  return DefineClass(env, "NftContext",
                     {
                         InstanceMethod<&NftContext::Ready>("ready"),
                         InstanceMethod<&NftContext::Run>("run"),
                         InstanceMethod<&NftContext::List>("list"),
                         InstanceMethod<&NftContext::Close>("close"),
                     });
}

NftContext::NftContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NftContext>(info) {
  Napi::Env env = info.Env();
  std::string netns;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsString()) {
      Napi::TypeError::New(env, "Expected first argument to be a string").ThrowAsJavaScriptException();
      return;
    }
    netns = info[0].As<Napi::String>().Utf8Value();
  }
  worker_ = std::make_shared<NftWorker>(netns);
  auto* keep = new std::shared_ptr<NftWorker>(worker_);
  tsfn_ = Tsfn::New(
      env, "banhammer.nft", 0, 1, worker_.get(),
      [](Napi::Env, std::shared_ptr<NftWorker>* held, NftWorker*) {
        // The worker released us (closed or stopping), or Node is exiting: make sure it stops,
        // wait for it, then drop our share. It never blocks long: a job finishes first.
        (*held)->RequestStop();
        (*held)->Join();
        delete held;
      },
      keep);
  if (env.IsExceptionPending()) {
    delete keep;
    return;
  }
  tsfn_.Unref(env);
  Tsfn tsfn = tsfn_;
  worker_->Start(
      [tsfn](std::unique_ptr<Job> job) {
        auto* call = static_cast<Call*>(job.release());
        // napi_closing: Node is exiting and will not run DeliverCall; free the call here.
        if (tsfn.NonBlockingCall(call) != napi_ok) delete call;
      },
      [tsfn] { tsfn.Release(); });
}

NftContext::~NftContext() {
  // Garbage-collected without close(): let the thread free the context and exit on its own.
  if (worker_ && !closed_) worker_->RequestStop();
}

void NftContext::Settled(Napi::Env env) {
  if (--pending_ > 0) return;
  // After close() the worker has released the thread-safe function; leave it alone.
  if (!closed_) tsfn_.Unref(env);
  Unref();
}

Napi::Value NftContext::Submit(Napi::Env env, Job::Kind kind, std::string input) {
  auto deferred = Napi::Promise::Deferred::New(env);
  if (closed_) {
    deferred.Reject(Napi::Error::New(env, "The nftables context is closed.").Value());
    return deferred.Promise();
  }
  if (pending_++ == 0) {
    // A pending call keeps the loop alive (its promise must settle) and this object reachable.
    tsfn_.Ref(env);
    Ref();
  }
  worker_->Submit(std::make_unique<Call>(kind, std::move(input), this, deferred));
  if (kind == Job::Kind::Close) closed_ = true;
  return deferred.Promise();
}

// Reads one string argument; a NUL would silently cut the script short in C, so it is refused.
static bool StringArgument(const Napi::CallbackInfo& info, std::string* out) {
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(info.Env(), "Expected first argument to be a string").ThrowAsJavaScriptException();
    return false;
  }
  *out = info[0].As<Napi::String>().Utf8Value();
  if (std::memchr(out->data(), '\0', out->size()) != nullptr) {
    Napi::TypeError::New(info.Env(), "Expected first argument to be a string without NUL characters")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

Napi::Value NftContext::Ready(const Napi::CallbackInfo& info) {
  return Submit(info.Env(), Job::Kind::Ready, "");
}

Napi::Value NftContext::Run(const Napi::CallbackInfo& info) {
  std::string script;
  if (!StringArgument(info, &script)) return info.Env().Undefined();
  return Submit(info.Env(), Job::Kind::Run, std::move(script));
}

Napi::Value NftContext::List(const Napi::CallbackInfo& info) {
  std::string command;
  if (!StringArgument(info, &command)) return info.Env().Undefined();
  return Submit(info.Env(), Job::Kind::List, std::move(command));
}

Napi::Value NftContext::Close(const Napi::CallbackInfo& info) {
  if (closed_) return Submit(info.Env(), Job::Kind::Ready, "");  // rejects: already closed
  return Submit(info.Env(), Job::Kind::Close, "");
}

}  // namespace banhammer

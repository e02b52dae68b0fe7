// One libnftables context served by one dedicated thread; no N-API types in this file.
// The thread enters the requested network namespace, creates the context, then runs every job
// of this instance in submission order, so calls on the context are serialised by construction.

#ifndef BANHAMMER_NFT_WORKER_H
#define BANHAMMER_NFT_WORKER_H

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct nft_ctx;

namespace banhammer {

/** One call on the context. The N-API layer derives from it to carry its promise. */
struct Job {
  enum class Kind { Ready, Run, List, Close };

  Job(Kind kind, std::string input) : kind(kind), input(std::move(input)) {}
  virtual ~Job() = default;

  const Kind kind;
  const std::string input;
  // Filled in on the worker thread, read on the JS thread after delivery.
  bool ok = false;
  std::string output;  // List: the JSON text
  std::string error;   // on failure: nft's error buffer, or why the context is unusable
};

class NftWorker {
 public:
  /** Hands a finished job back; runs on the worker thread and must not block. */
  using Deliver = std::function<void(std::unique_ptr<Job>)>;
  /** Called once on the worker thread after its last delivery. */
  using Done = std::function<void()>;

  /** `netns`: a namespace file such as /run/netns/NAME; empty keeps the process's own. */
  explicit NftWorker(std::string netns);
  ~NftWorker();
  NftWorker(const NftWorker&) = delete;
  NftWorker& operator=(const NftWorker&) = delete;

  void Start(Deliver deliver, Done done);
  /** Queues a job; jobs run one at a time in this order. */
  void Submit(std::unique_ptr<Job> job);
  /** Asks the thread to fail what is still queued and exit; safe to call more than once. */
  void RequestStop();
  /** Waits for the thread to exit. */
  void Join();

 private:
  void Main();
  std::string Open();
  void Execute(Job& job);

  const std::string netns_;
  nft_ctx* ctx_ = nullptr;  // touched only by the worker thread
  Deliver deliver_;
  Done done_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;
};

}  // namespace banhammer

#endif

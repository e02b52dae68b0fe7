// The worker thread: namespace, context, job loop. Why a dedicated thread rather than an
// AsyncWorker on libuv's pool:
//  - libnftables 1.0.6 opens its netfilter netlink socket inside nft_ctx_new(), and a socket
//    belongs to the network namespace of the thread that creates it (checked: a context made
//    on a thread that setns()'d lists that namespace's tables from any thread afterwards). Yet
//    some lookups open short-lived sockets per call (interface names, rtnetlink), in whatever
//    namespace the calling thread is in; a thread that enters the namespace once and serves
//    every call keeps all of them in the right place, and never leaves a pool thread switched.
//  - A long commit (a 100,000-element restore) would hold a pool thread that fs and dns need.
//  - One consumer thread serialises the calls on its context without a lock per call.

#include "worker.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace banhammer {

namespace {

// libnftables keeps process-wide state besides the context (a one-time init in nft_ctx_new,
// the interface cache that every run releases), so two contexts must not run at once either.
// The daemon has one context; tests and benches with several just take turns.
std::mutex& LibraryMutex() {
  static std::mutex mutex;
  return mutex;
}

std::string ErrnoText(int err) {
  char buf[256];
  return strerror_r(err, buf, sizeof buf);  // the GNU variant returns the text
}

std::string Trimmed(const char* text) {
  std::string s = text == nullptr ? "" : text;
  size_t end = s.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? "" : s.substr(0, end + 1);
}

// libmnl opens its socket without SOCK_CLOEXEC, so every program the daemon spawns (shell
// actions, whois, sendmail) would inherit a netfilter socket. Mark ours close-on-exec; marking
// another netfilter netlink socket of this process as well would be harmless.
void MarkNetfilterSocketsCloexec() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    int domain = 0;
    int protocol = 0;
    socklen_t len = sizeof domain;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) continue;
    len = sizeof protocol;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0) continue;
    if (domain != AF_NETLINK || protocol != NETLINK_NETFILTER) continue;
    int flags = fcntl(static_cast<int>(fd), F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) fcntl(static_cast<int>(fd), F_SETFD, flags | FD_CLOEXEC);
  }
  closedir(dir);
}

}  // namespace

NftWorker::NftWorker(std::string netns) : netns_(std::move(netns)) {}

NftWorker::~NftWorker() {
  // Normally joined by the owner first; joining here keeps a running thread from outliving us.
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void NftWorker::Start(Deliver deliver, Done done) {
  deliver_ = std::move(deliver);
  done_ = std::move(done);
  thread_ = std::thread([this] { Main(); });
}

void NftWorker::Submit(std::unique_ptr<Job> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void NftWorker::RequestStop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
}

void NftWorker::Join() {
  if (thread_.joinable()) thread_.join();
}

void NftWorker::Main() {
  // Signals belong to the JS thread; here one would only turn a netlink read into EINTR and a
  // commit into a spurious failure.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  pthread_setname_np(pthread_self(), "banhammer-nft");

  const std::string unusable = Open();
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    const bool last = job->kind == Job::Kind::Close;
    if (!unusable.empty() && !last) {
      job->error = unusable;
    } else {
      Execute(*job);
    }
    deliver_(std::move(job));
    if (last) break;
  }

  if (ctx_ != nullptr) {
    std::lock_guard<std::mutex> lock(LibraryMutex());
    nft_ctx_free(ctx_);
    ctx_ = nullptr;
  }
  std::deque<std::unique_ptr<Job>> rest;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    rest.swap(queue_);
  }
  for (auto& job : rest) {
    job->error = "The nftables context is closed.";
    deliver_(std::move(job));
  }
  done_();
}

// Returns why the context cannot be used, or "" when it can.
std::string NftWorker::Open() {
  if (!netns_.empty()) {
    int fd = open(netns_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "Cannot open network namespace " + netns_ + ": " + ErrnoText(errno);
    // CLONE_NEWNET moves only this thread; the JS thread and the rest of Node stay where they are.
    int rc = setns(fd, CLONE_NEWNET);
    int err = errno;
    close(fd);
    if (rc != 0) return "Cannot enter network namespace " + netns_ + ": " + ErrnoText(err);
  }
  // libnftables 1.0.6 calls exit() when it cannot open its netlink socket; ask first so that
  // failure reaches JS as an error instead of ending the daemon.
  int probe = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (probe < 0) return "Cannot open a netfilter netlink socket: " + ErrnoText(errno);
  close(probe);

  std::lock_guard<std::mutex> lock(LibraryMutex());
  ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx_ == nullptr) return "Cannot create an nftables context.";
  MarkNetfilterSocketsCloexec();
  // Both buffers stay in memory: nothing is printed to the daemon's stdout or stderr.
  if (nft_ctx_buffer_output(ctx_) != 0 || nft_ctx_buffer_error(ctx_) != 0) {
    return "Cannot buffer nftables output.";
  }
  return "";
}

void NftWorker::Execute(Job& job) {
  std::lock_guard<std::mutex> lock(LibraryMutex());
  switch (job.kind) {
    case Job::Kind::Ready:
      job.ok = true;
      return;
    case Job::Kind::Close:
      if (ctx_ != nullptr) nft_ctx_free(ctx_);
      ctx_ = nullptr;
      job.ok = true;
      return;
    case Job::Kind::Run:
    case Job::Kind::List:
      break;
  }
  // One script is one nft_run_cmd_from_buffer call, which libnftables sends as one netlink
  // batch: the kernel applies all of it or none of it.
  nft_ctx_output_set_flags(ctx_, job.kind == Job::Kind::List ? NFT_CTX_OUTPUT_JSON : 0);
  int rc = nft_run_cmd_from_buffer(ctx_, job.input.c_str());
  // Reading a buffer also rewinds it, so read both every time or they would accumulate.
  std::string output = nft_ctx_get_output_buffer(ctx_);
  std::string error = Trimmed(nft_ctx_get_error_buffer(ctx_));
  if (rc == 0) {
    job.ok = true;
    if (job.kind == Job::Kind::List) job.output = std::move(output);
    return;
  }
  job.error = error.empty() ? "nft failed without an error message." : std::move(error);
}

}  // namespace banhammer

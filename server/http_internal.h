// Internals of HttpServer shared by http_server.cc (accepting, start/stop) and
// http_session.cc (one connection). Includes Asio; only those two files may
// include it.
//
// Lifetime: ListenerCore outlives every Session (sessions hold a raw pointer
// to it). Its io_context is declared after everything a Session's destructor
// touches, so sessions still queued in the io_context when it is destroyed
// find the core intact.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "absl/base/thread_annotations.h"
#include "base/metrics.h"
#include "server/http_server.h"
#include "server/web_config_file.h"
#include "server/worker_pool.h"

namespace strata::server::internal {

class Session;

class ListenerCore {
 public:
  ListenerCore(HttpServerOptions opts, RouteFn route, metrics::Registry* registry);
  ~ListenerCore();

  absl::Status start();
  void stop(std::chrono::milliseconds grace);

  // Called by sessions. remove_session() is idempotent: an evicted session
  // leaves the table when it is closed, before its destructor runs.
  void add_session(const std::shared_ptr<Session>& s);
  void remove_session(Session* s);
  // A session began waiting for request bytes, so it can now be evicted for
  // a connection held in the backlog.
  void session_evictable();
  // The answer to Session::evict: whether that session closed.
  void eviction_done(bool evicted);
  // A session started (+1) or stopped (-1) waiting for request bytes.
  void idle_changed(double d) { idle_connections_->add(d); }
  void record(const std::string& handler, int code, double seconds, size_t bytes);
  // Reserves `bytes` of opts.max_inflight_body_bytes for a request body or
  // its handler's decoding; false (counted) when they are not free. release_body() gives them back.
  bool reserve_body(uint64_t bytes);
  void release_body(uint64_t bytes);
  // Counts a refusal decided without reserve_body().
  void reserve_body_refused() { inflight_body_refused_->inc(); }
  // `too many request bytes in flight (limit N bytes); retry later`
  std::string inflight_full_message() const;
  // Counts a failed TLS handshake and logs it at debug level.
  void tls_handshake_failed(const std::string& remote, const std::string& reason);
  // The web config in force (checked for changes at most once a second);
  // null without --web.config.file.
  std::shared_ptr<const WebConfigFile::State> web_state() {
    return opts.web_config != nullptr ? opts.web_config->current() : nullptr;
  }

  const HttpServerOptions opts;
  const RouteFn route;
  // Set when stop() begins: sessions close after their current response.
  std::atomic<bool> stopping{false};
  // Set when the grace period is over: cancelled() turns true for requests
  // still in a handler.
  std::atomic<bool> aborting{false};
  std::unique_ptr<WorkerPool> workers;
  std::string bound_address;
  int bound_port = 0;

 private:
  // The accept loop, on accept_strand_ (as is accept_state_). Below the
  // limit it accepts. At the limit it waits for a connection to arrive
  // (kWaitArrival), then evicts the session that has waited longest for
  // request bytes (kEvicting) and accepts once that one is gone. When every
  // session is busy (a handler runs, a response is being written) it holds
  // the arrival in the backlog (kHeld) until a session closes or starts
  // waiting for its next request.
  enum class AcceptState { kIdle, kAccepting, kWaitArrival, kEvicting, kHeld };
  void resume_accepting();
  void accept();
  void on_arrival(boost::system::error_code ec);
  void evict_or_hold();
  // Clears held_; if this call cleared it, the accept strand retries
  // evict_or_hold().
  void wake_held();
  // One I/O thread: runs the io_context; an exception escaping a completion
  // handler drops that connection only, and the thread carries on.
  void run_io();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // Posts `f` to every live session's strand.
  void for_each_session(void (Session::*f)());
  bool wait_sessions_gone(std::chrono::steady_clock::time_point deadline);

  metrics::Family<metrics::Counter>* requests_;
  metrics::Family<metrics::Histogram>* durations_;
  metrics::Family<metrics::Histogram>* sizes_;
  metrics::Gauge* open_connections_;
  metrics::Gauge* idle_connections_;
  metrics::Counter* accept_errors_;
  metrics::Counter* tls_handshake_failures_;
  metrics::Counter* evictions_;
  metrics::Gauge* inflight_body_gauge_;
  metrics::Counter* inflight_body_refused_;
  std::atomic<uint64_t> inflight_body_bytes_{0};
  bool tls_ = false;  // the web config has tls_server_config (fixed at start)

  std::mutex mu_;
  std::condition_variable sessions_cv_;  // a session went away
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  const size_t max_connections_;
  AcceptState accept_state_ = AcceptState::kIdle;  // on accept_strand_ only
  // Set (under mu_) while a connection is held for want of an evictable
  // session; whoever clears it first (a session closing or becoming
  // evictable) wakes the accept loop. Sessions publish their waiting time
  // before reading it, and evict_or_hold() sets it before scanning them, so
  // with sequentially consistent atomics one of the two sees the other.
  std::atomic<bool> held_{false};
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::thread> io_threads_;

  // Declared last: destroyed first (see the file comment).
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> accept_strand_{ioc_.get_executor()};
  boost::asio::ip::tcp::acceptor acceptor_{accept_strand_};
  // Keeps the I/O threads in run() while no operation is pending, e.g. when
  // every connection's request is in a handler and accepting is paused.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_guard_;
};

}  // namespace strata::server::internal

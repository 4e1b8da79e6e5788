// Loading and following the --web.config.file (see server/web_config_file.h).
#include "server/web_config_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.h"

namespace strata::server {
namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WebConfigFile::WebConfigFile(std::string path, metrics::Registry* registry)
    : path_(std::move(path)) {
  if (registry != nullptr) {
    last_reload_ok_ =
        &registry->gauge("strata_web_config_last_reload_successful",
                         "Whether the last load of the --web.config.file was successful.");
  }
}

WebConfigFile::Stamp WebConfigFile::stamp_of(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return Stamp{};
  return Stamp{int64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
               int64_t(st.st_ino)};
}

std::vector<WebConfigFile::Stamp> WebConfigFile::stamps_of(const std::vector<std::string>& files) {
  std::vector<Stamp> out;
  for (const std::string& f : files) out.push_back(stamp_of(f));
  return out;
}

absl::StatusOr<std::unique_ptr<WebConfigFile>> WebConfigFile::load(const std::string& path,
                                                                   metrics::Registry* registry) {
  std::unique_ptr<WebConfigFile> f(new WebConfigFile(path, registry));
  std::vector<Stamp> stamps;
  auto state = f->build(&stamps);
  if (!state.ok()) return state.status();
  f->tls_ = (*state)->tls != nullptr;
  {
    std::lock_guard<std::mutex> lock(f->reload_mu_);
    f->files_ = f->files_of(**state);
    f->stamps_ = std::move(stamps);
  }
  f->last_check_ns_.store(steady_ns());
  {
    std::lock_guard<std::mutex> lock(f->state_mu_);
    f->state_ = std::move(*state);
  }
  if (f->last_reload_ok_ != nullptr) f->last_reload_ok_->set(1);
  return f;
}

std::vector<std::string> WebConfigFile::files_of(const State& s) const {
  std::vector<std::string> files = {path_};
  if (s.config.tls) {
    files.push_back(s.config.tls->cert_file);
    files.push_back(s.config.tls->key_file);
    if (!s.config.tls->client_ca_file.empty()) files.push_back(s.config.tls->client_ca_file);
  }
  return files;
}

absl::StatusOr<std::shared_ptr<const WebConfigFile::State>> WebConfigFile::build(
    std::vector<Stamp>* stamps) const {
  // Stamps first: a file changed while we read it is read again next time.
  Stamp own = stamp_of(path_);
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError("open " + path_ + ": " +
                                      std::string(std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string dir = std::filesystem::path(path_).parent_path().string();
  auto config = parse_web_config(text.str(), dir.empty() ? "." : dir);
  if (!config.ok()) return config.status();
  auto state = std::make_shared<State>();
  state->config = std::move(*config);
  stamps->assign(1, own);
  if (state->config.tls) {
    for (const std::string* f : {&state->config.tls->cert_file, &state->config.tls->key_file,
                                 &state->config.tls->client_ca_file}) {
      if (!f->empty()) stamps->push_back(stamp_of(*f));
    }
    auto ctx = net::make_tls_server_context(*state->config.tls);
    if (!ctx.ok()) return ctx.status();
    state->tls = std::move(*ctx);
  }
  return std::shared_ptr<const State>(std::move(state));
}

absl::Status WebConfigFile::reload_locked(bool force) {
  last_check_ns_.store(steady_ns());
  if (!force) {
    if (stamps_of(files_) == stamps_) return absl::OkStatus();
  }
  std::vector<Stamp> stamps;
  auto state = build(&stamps);
  absl::Status status = state.status();
  if (status.ok() && ((*state)->tls != nullptr) != tls_) {
    status = absl::FailedPreconditionError(
        tls_ ? "removing tls_server_config needs a restart"
             : "adding tls_server_config needs a restart");
  }
  if (!status.ok()) {
    // Do not retry a broken file every second: wait until it changes again.
    stamps_ = stamps_of(files_);
    if (last_reload_ok_ != nullptr) last_reload_ok_->set(0);
    log::error("web", "Error reloading the web config; keeping the previous one",
               {{"file", path_}, {"err", std::string(status.message())}});
    return status;
  }
  files_ = files_of(**state);
  stamps_ = std::move(stamps);
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    state_ = std::move(*state);
  }
  if (last_reload_ok_ != nullptr) last_reload_ok_->set(1);
  log::info("web", "Reloaded the web config", {{"file", path_}});
  return absl::OkStatus();
}

std::shared_ptr<const WebConfigFile::State> WebConfigFile::current() {
  int64_t now = steady_ns();
  if (now - last_check_ns_.load(std::memory_order_relaxed) >= kCheckIntervalNs) {
    // Whoever gets the lock checks; the others use the state they have.
    std::unique_lock<std::mutex> lock(reload_mu_, std::try_to_lock);
    if (lock.owns_lock() && now - last_check_ns_.load() >= kCheckIntervalNs)
      (void)reload_locked(false);
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  return state_;
}

absl::Status WebConfigFile::reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  return reload_locked(true);
}

}  // namespace strata::server

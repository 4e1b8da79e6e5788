#include "tests/testutil/fault_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace strata::testutil {

// Forwards to the wrapped file, consulting the file system for faults and
// telling it what was synced.
class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionFileSystem* fs, std::string path,
                    std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
  absl::Status append(std::string_view data) override {
    size_t keep = data.size();
    absl::Status s = fs_->before_append(data, &keep);
    if (keep > 0) {
      absl::Status a = base_->append(data.substr(0, keep));
      if (a.ok() && !s.ok()) a = base_->flush();  // the torn prefix reaches the file
      if (!a.ok()) return a;
    }
    return s;
  }
  absl::Status flush() override { return base_->flush(); }
  absl::Status sync() override {
    if (absl::Status s = fs_->before_sync(); !s.ok()) {
      fs_->sync_failed(path_, base_->size());
      return s;
    }
    absl::Status s = base_->sync();
    if (s.ok()) fs_->synced(path_, base_->size());
    return s;
  }
  absl::Status close() override { return base_->close(); }
  uint64_t size() const override { return base_->size(); }

 private:
  FaultInjectionFileSystem* fs_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::open_writable(
    const std::string& path, bool append) {
  bool existed = base_->exists(path);
  auto f = base_->open_writable(path, append);
  if (!f.ok()) return f.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    FileState& st = files_[path];
    if (!existed) st.entry_synced = false;
    if (!append) st.synced = st.lost_from = st.lost_to = 0;
  }
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(*f)));
}

absl::Status FaultInjectionFileSystem::before_append(std::string_view data, size_t* keep) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_writes_) {
    *keep = 0;
    return absl::InternalError("injected write error");
  }
  if (tear_) {
    tear_ = false;
    *keep = std::min(tear_keep_, data.size());
    return absl::InternalError("injected torn write");
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::before_sync() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_syncs_) return absl::InternalError("injected fsync error");
  return absl::OkStatus();
}

void FaultInjectionFileSystem::synced(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path].synced = size;
  ++syncs_;
}

void FaultInjectionFileSystem::sync_failed(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  FileState& st = files_[path];
  if (size <= st.synced) return;
  if (st.lost_to > st.lost_from) {  // a second failure widens the range
    st.lost_from = std::min(st.lost_from, st.synced);
    st.lost_to = std::max(st.lost_to, size);
  } else {
    st.lost_from = st.synced;
    st.lost_to = size;
  }
}

void FaultInjectionFileSystem::tear_next_write(size_t keep_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  tear_ = true;
  tear_keep_ = keep_bytes;
}

void FaultInjectionFileSystem::set_fail_writes(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_writes_ = on;
}

void FaultInjectionFileSystem::set_fail_syncs(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_syncs_ = on;
}

uint64_t FaultInjectionFileSystem::syncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

absl::Status FaultInjectionFileSystem::rename(const std::string& from, const std::string& to) {
  absl::Status s = base_->rename(from, to);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  // Files inside a renamed directory move with it.
  std::map<std::string, FileState> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from || it->first.rfind(from + "/", 0) == 0) {
      moved[to + it->first.substr(from.size())] = it->second;
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [k, v] : moved) files_[k] = v;
  return s;
}

absl::Status FaultInjectionFileSystem::remove(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(path);
  }
  return base_->remove(path);
}

absl::Status FaultInjectionFileSystem::remove_all(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = files_.begin(); it != files_.end();) {
      if (it->first == path || it->first.rfind(path + "/", 0) == 0)
        it = files_.erase(it);
      else
        ++it;
    }
  }
  return base_->remove_all(path);
}

absl::Status FaultInjectionFileSystem::truncate(const std::string& path, uint64_t size) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end()) {
      FileState& st = it->second;
      if (st.synced > size) st.synced = size;
      // Cut before the doubtful bytes: they are gone, not lost.
      if (st.lost_to > size) st.lost_to = std::max(size, st.lost_from);
    }
  }
  return base_->truncate(path, size);
}

absl::Status FaultInjectionFileSystem::sync_dir(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_syncs_) return absl::InternalError("injected fsync error");
    std::string prefix = dir.back() == '/' ? dir : dir + "/";
    for (auto& [path, st] : files_) {
      if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos)
        st.entry_synced = true;
    }
  }
  return base_->sync_dir(dir);
}

absl::Status FaultInjectionFileSystem::drop_unsynced_data() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    const auto& [path, st] = *it;
    if (!base_->exists(path)) {
      it = files_.erase(it);
      continue;
    }
    if (!st.entry_synced) {
      if (auto s = base_->remove(path); !s.ok()) return s;
      it = files_.erase(it);
      continue;
    }
    auto size = base_->file_size(path);
    if (size.ok() && st.lost_to > st.lost_from && st.lost_from < *size) {
      uint64_t end = std::min<uint64_t>(st.lost_to, *size);
      if (auto s = zero_range(path, st.lost_from, end - st.lost_from); !s.ok()) return s;
    }
    if (size.ok() && *size > st.synced) {
      if (auto s = base_->truncate(path, st.synced); !s.ok()) return s;
    }
    ++it;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::flip_byte(const std::string& path, uint64_t offset,
                                                 uint8_t mask) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return absl::InternalError("open " + path + ": " + std::strerror(errno));
  unsigned char c;
  bool ok = ::pread(fd, &c, 1, off_t(offset)) == 1;
  c ^= mask;
  ok = ok && ::pwrite(fd, &c, 1, off_t(offset)) == 1;
  ::close(fd);
  return ok ? absl::OkStatus() : absl::InternalError("flip_byte " + path);
}

absl::Status FaultInjectionFileSystem::zero_range(const std::string& path, uint64_t offset,
                                                  uint64_t len) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return absl::InternalError("open " + path + ": " + std::strerror(errno));
  std::string zeros(len, '\0');
  bool ok = ::pwrite(fd, zeros.data(), len, off_t(offset)) == ssize_t(len);
  ::close(fd);
  return ok ? absl::OkStatus() : absl::InternalError("zero_range " + path);
}

}  // namespace strata::testutil

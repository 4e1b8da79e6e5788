// MemFs: a FileSystem held in memory, for the harnesses that run the real
// file readers (WAL replay, block chunks) over fuzzed bytes: no disk I/O per
// run, and nothing left behind. Paths are plain strings ("/db/wal/00000000");
// a directory exists once mkdirs() made it or a file lies under it.
// A mapping or a readable file holds its own copy of the bytes, so it stays
// valid after the file changes or is removed, as a POSIX mapping would.
// Thread-safe (one mutex); file objects are not.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/filesystem.h"

namespace strata::fuzz {

class MemFs final : public FileSystem {
 public:
  // Adds (or replaces) a file, making its parent directories.
  void put(const std::string& path, std::string_view bytes) {
    std::lock_guard lock(mu_);
    files_[path] = std::make_shared<std::string>(bytes);
    add_parents(path);
  }
  void clear() {
    std::lock_guard lock(mu_);
    files_.clear();
    dirs_.clear();
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                              bool append) override {
    std::lock_guard lock(mu_);
    auto& f = files_[path];
    if (!f || !append) f = std::make_shared<std::string>();
    add_parents(path);
    return std::unique_ptr<WritableFile>(new Writable(f));
  }
  absl::StatusOr<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) override {
    auto data = copy(path);
    if (!data.ok()) return data.status();
    return std::unique_ptr<ReadableFile>(new Readable(std::move(*data)));
  }
  absl::StatusOr<std::unique_ptr<MappedFile>> map(const std::string& path) override {
    auto data = copy(path);
    if (!data.ok()) return data.status();
    return std::unique_ptr<MappedFile>(new Mapped(std::move(*data)));
  }
  absl::StatusOr<std::string> read_file(const std::string& path) override { return copy(path); }

  bool exists(const std::string& path) override {
    std::lock_guard lock(mu_);
    return files_.count(path) || dirs_.count(path);
  }
  absl::StatusOr<uint64_t> file_size(const std::string& path) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return absl::NotFoundError(path);
    return it->second->size();
  }
  absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) override {
    std::lock_guard lock(mu_);
    if (!dirs_.count(dir)) return absl::NotFoundError(dir);
    std::set<std::string> names;
    const std::string prefix = dir + "/";
    auto collect = [&](const std::string& p) {
      if (!p.starts_with(prefix)) return;
      std::string rest = p.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('/')));
    };
    for (const auto& [p, f] : files_) collect(p);
    for (const auto& p : dirs_) collect(p);
    return std::vector<std::string>(names.begin(), names.end());
  }
  absl::Status mkdirs(const std::string& dir) override {
    std::lock_guard lock(mu_);
    add_parents(dir + "/x");
    return absl::OkStatus();
  }
  absl::Status rename(const std::string& from, const std::string& to) override {
    std::lock_guard lock(mu_);
    if (auto it = files_.find(from); it != files_.end()) {
      files_[to] = it->second;
      files_.erase(it);
      add_parents(to);
      return absl::OkStatus();
    }
    if (!dirs_.count(from)) return absl::NotFoundError(from);
    remove_under(to);
    std::map<std::string, std::shared_ptr<std::string>> moved;
    for (auto it = files_.begin(); it != files_.end();) {
      if (it->first.starts_with(from + "/")) {
        moved[to + it->first.substr(from.size())] = it->second;
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
    std::set<std::string> dirs;
    for (auto it = dirs_.begin(); it != dirs_.end();) {
      if (*it == from || it->starts_with(from + "/")) {
        dirs.insert(to + it->substr(from.size()));
        it = dirs_.erase(it);
      } else {
        ++it;
      }
    }
    files_.merge(moved);
    dirs_.merge(dirs);
    add_parents(to);
    return absl::OkStatus();
  }
  absl::Status remove(const std::string& path) override {
    std::lock_guard lock(mu_);
    if (files_.erase(path) || dirs_.erase(path)) return absl::OkStatus();
    return absl::NotFoundError(path);
  }
  absl::Status remove_all(const std::string& path) override {
    std::lock_guard lock(mu_);
    remove_under(path);
    return absl::OkStatus();
  }
  absl::Status truncate(const std::string& path, uint64_t size) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return absl::NotFoundError(path);
    it->second->resize(size);
    return absl::OkStatus();
  }
  absl::Status sync_dir(const std::string&) override { return absl::OkStatus(); }
  absl::StatusOr<uint64_t> disk_usage(const std::string& path) override {
    std::lock_guard lock(mu_);
    uint64_t n = 0;
    for (const auto& [p, f] : files_)
      if (p == path || p.starts_with(path + "/")) n += f->size();
    return n;
  }

 private:
  class Writable final : public WritableFile {
   public:
    explicit Writable(std::shared_ptr<std::string> f) : f_(std::move(f)) {}
    absl::Status append(std::string_view data) override {
      f_->append(data);
      return absl::OkStatus();
    }
    absl::Status flush() override { return absl::OkStatus(); }
    absl::Status sync() override { return absl::OkStatus(); }
    absl::Status close() override { return absl::OkStatus(); }
    uint64_t size() const override { return f_->size(); }

   private:
    std::shared_ptr<std::string> f_;
  };
  class Readable final : public ReadableFile {
   public:
    explicit Readable(std::string data) : data_(std::move(data)) {}
    absl::Status read_at(uint64_t offset, size_t n, std::string* out) const override {
      if (offset > data_.size()) offset = data_.size();
      out->assign(data_, offset, std::min<uint64_t>(n, data_.size() - offset));
      return absl::OkStatus();
    }
    uint64_t size() const override { return data_.size(); }

   private:
    std::string data_;
  };
  class Mapped final : public MappedFile {
   public:
    explicit Mapped(std::string data) : data_(std::move(data)) {}
    std::string_view data() const override { return data_; }

   private:
    std::string data_;
  };

  absl::StatusOr<std::string> copy(const std::string& path) {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return absl::NotFoundError(path);
    return *it->second;
  }
  void add_parents(const std::string& path) {
    for (size_t i = path.rfind('/'); i != std::string::npos && i > 0; i = path.rfind('/', i - 1))
      dirs_.insert(path.substr(0, i));
  }
  void remove_under(const std::string& path) {
    files_.erase(path);
    dirs_.erase(path);
    std::erase_if(files_, [&](const auto& e) { return e.first.starts_with(path + "/"); });
    std::erase_if(dirs_, [&](const auto& d) { return d.starts_with(path + "/"); });
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::string>> files_;
  std::set<std::string> dirs_;
};

}  // namespace strata::fuzz

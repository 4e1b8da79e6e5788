#include "base/filesystem.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace strata {
namespace {

absl::Status errno_status(const std::string& op, const std::string& path, int err = errno) {
  std::string msg = op + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)close();
  }
  absl::Status append(std::string_view data) override {
    // Small appends are buffered; the WAL calls flush() at commit.
    if (buf_.size() + data.size() > kBufSize) {
      if (auto s = flush(); !s.ok()) return s;
    }
    if (data.size() >= kBufSize) return write_all(data);
    buf_.append(data);
    size_ += data.size();
    return absl::OkStatus();
  }
  absl::Status flush() override {
    if (buf_.empty()) return absl::OkStatus();
    std::string b;
    b.swap(buf_);
    size_ -= b.size();
    return write_all(b);
  }
  absl::Status sync() override {
    if (auto s = flush(); !s.ok()) return s;
    if (::fdatasync(fd_) != 0) return errno_status("fdatasync", path_);
    return absl::OkStatus();
  }
  absl::Status close() override {
    absl::Status s = flush();
    if (fd_ >= 0 && ::close(fd_) != 0 && s.ok()) s = errno_status("close", path_);
    fd_ = -1;
    return s;
  }
  uint64_t size() const override { return size_; }

 private:
  static constexpr size_t kBufSize = 64 * 1024;
  absl::Status write_all(std::string_view data) {
    const char* p = data.data();
    size_t n = data.size();
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno_status("write", path_);
      }
      p += w;
      n -= size_t(w);
      size_ += uint64_t(w);
    }
    return absl::OkStatus();
  }
  int fd_;
  std::string path_;
  uint64_t size_;
  std::string buf_;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixReadableFile() override { ::close(fd_); }
  absl::Status read_at(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, off_t(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return errno_status("read", path_);
      }
      if (r == 0) break;
      got += size_t(r);
    }
    out->resize(got);
    return absl::OkStatus();
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* p, size_t n) : p_(p), n_(n) {}
  ~PosixMappedFile() override {
    if (p_) ::munmap(p_, n_);
  }
  std::string_view data() const override {
    return p_ ? std::string_view(static_cast<const char*>(p_), n_) : std::string_view();
  }

 private:
  void* p_;
  size_t n_;
};

class PosixFileSystem final : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                              bool append) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return errno_status("open", path);
    struct stat st;
    uint64_t size = ::fstat(fd, &st) == 0 ? uint64_t(st.st_size) : 0;
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path, size));
  }
  absl::StatusOr<std::unique_ptr<ReadableFile>> open_readable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status("open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return errno_status("stat", path);
    }
    return std::unique_ptr<ReadableFile>(new PosixReadableFile(fd, path, uint64_t(st.st_size)));
  }
  absl::StatusOr<std::unique_ptr<MappedFile>> map(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status("open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return errno_status("stat", path);
    }
    void* p = nullptr;
    if (st.st_size > 0) {
      p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return errno_status("mmap", path, err);
      }
    }
    ::close(fd);
    return std::unique_ptr<MappedFile>(new PosixMappedFile(p, size_t(st.st_size)));
  }
  absl::StatusOr<std::string> read_file(const std::string& path) override {
    auto f = open_readable(path);
    if (!f.ok()) return f.status();
    std::string out;
    if (auto s = (*f)->read_at(0, (*f)->size(), &out); !s.ok()) return s;
    return out;
  }
  bool exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }
  absl::StatusOr<uint64_t> file_size(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return errno_status("stat", path);
    return uint64_t(st.st_size);
  }
  absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return errno_status("opendir", dir);
    std::vector<std::string> out;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(std::move(n));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
  }
  absl::Status mkdirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InternalError("mkdir " + dir + ": " + ec.message());
    return absl::OkStatus();
  }
  absl::Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return errno_status("rename " + from + " to", to);
    return absl::OkStatus();
  }
  absl::Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return errno_status("remove", path);
    return absl::OkStatus();
  }
  absl::Status remove_all(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return absl::InternalError("remove " + path + ": " + ec.message());
    return absl::OkStatus();
  }
  absl::Status truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), off_t(size)) != 0) return errno_status("truncate", path);
    return absl::OkStatus();
  }
  absl::Status sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_status("open", dir);
    int r = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (r != 0) return errno_status("fsync", dir, err);
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> disk_usage(const std::string& path) override {
    std::error_code ec;
    uint64_t total = 0;
    if (std::filesystem::is_regular_file(path, ec)) return std::filesystem::file_size(path, ec);
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code e2;
      if (it->is_regular_file(e2)) total += it->file_size(e2);
    }
    if (ec) return absl::InternalError("du " + path + ": " + ec.message());
    return total;
  }
};

}  // namespace

FileSystem* posix_file_system() {
  static PosixFileSystem fs;
  return &fs;
}

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  std::string out(a);
  if (out.back() != '/') out.push_back('/');
  out.append(b);
  return out;
}

}  // namespace strata

// PromIndex: a read-only view of a Prometheus block's `index` file (index
// format version 2, Prometheus' docs/format/index.md): the symbol table, the
// postings offset table (loaded at open) and, on demand, one series' labels
// and chunk metadata or one postings list. The file is untrusted input: every
// offset, length and count is bounds-checked, every section's CRC32C verified,
// and problems come back as DataLoss statuses naming the file and offset
// (Unimplemented for index version 1). Owns its mapping; the views it hands
// out (labels are copied) live as long as it. Immutable after open(); any
// thread may read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb::prom {

inline constexpr uint32_t kIndexMagic = 0xBAAAD700;
inline constexpr uint8_t kIndexVersion2 = 2;

// One chunk of a series as the index describes it: [mint, maxt] are the
// first and last sample times; `ref` is segment sequence << 32 | offset.
struct PromChunkMeta {
  int64_t mint_ms;
  int64_t maxt_ms;
  uint64_t ref;
};

class PromIndex {
 public:
  // Maps and validates `path` (header, TOC, symbols, postings offset table).
  static absl::StatusOr<std::unique_ptr<PromIndex>> open(FileSystem* fs, const std::string& path);
  // The same over bytes already mapped (`path` only names the file in
  // errors): for fuzzing and tests.
  static absl::StatusOr<std::unique_ptr<PromIndex>> open(std::unique_ptr<MappedFile> file,
                                                         const std::string& path);

  // The label set and chunks of series `id` (its offset / 16); either output
  // may be null.
  absl::Status series(uint32_t id, Labels* labels, std::vector<PromChunkMeta>* chunks) const;
  // The ascending series ids of the label pair; empty when absent.
  // ("", "") lists every series.
  absl::StatusOr<std::vector<uint32_t>> postings(std::string_view name,
                                                 std::string_view value) const;
  // Sorted, unique label names and the sorted values of one name, from the
  // postings offset table (the all-series entry excluded).
  std::vector<std::string> label_names() const;
  std::vector<std::string> label_values(std::string_view name) const;

 private:
  struct PostingsEntry {
    std::string_view name;
    std::string_view value;
    uint64_t offset;
  };
  PromIndex() = default;
  absl::Status error(uint64_t offset, std::string_view what) const;
  // Reads a `len <4b> | body | CRC32 <4b>` section at `off`; body = the len bytes.
  absl::StatusOr<std::string_view> section(uint64_t off, std::string_view what) const;
  absl::Status read_symbols(uint64_t off);
  absl::Status read_postings_table(uint64_t off);
  absl::StatusOr<std::string_view> symbol(uint64_t ref, uint64_t at) const;

  std::string path_;
  std::unique_ptr<MappedFile> file_;
  std::string_view data_;
  std::vector<std::string_view> symbols_;
  std::vector<PostingsEntry> postings_;  // sorted by (name, value), as in the file
};

}  // namespace strata::tsdb::prom

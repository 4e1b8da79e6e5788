// IndexReader: read access to a block's index file through mmap. open()
// checks the header, the table of contents and every section's CRC, then
// loads the symbol table and the postings table into memory (string views
// into the mapping); postings lists are served zero-copy from the mapping.
// Immutable after open; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/filesystem.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/labels/labels.h"

namespace strata::tsdb {

class IndexReader {
 public:
  struct ValueEntry {
    std::string_view value;
    uint64_t offset;  // of the postings list in the postings section
  };

  static absl::StatusOr<std::unique_ptr<IndexReader>> open(FileSystem* fs, const std::string& path);
  // Over bytes the caller keeps alive (tests, golden files).
  static absl::StatusOr<std::unique_ptr<IndexReader>> from_bytes(std::string_view bytes);

  uint32_t num_series() const { return num_series_; }
  uint64_t size_bytes() const { return data_.size(); }

  // Sorted label names present in the block.
  std::vector<std::string_view> label_names() const;
  // The values of `name`, sorted, with their postings offsets; nullptr when
  // no series has the label.
  const std::vector<ValueEntry>* values(std::string_view name) const;
  // The series ids having name=value (empty when none); a view into the mapping.
  std::span<const uint32_t> postings(std::string_view name, std::string_view value) const;
  std::span<const uint32_t> postings_at(uint64_t offset) const;

  // Labels and chunk metas of series `id`.
  absl::Status series(uint32_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const;

 private:
  struct NameEntry {
    std::string_view name;
    std::vector<ValueEntry> values;
  };
  IndexReader() = default;
  absl::Status parse();

  std::shared_ptr<MappedFile> map_;
  std::string_view data_;
  std::vector<std::string_view> symbols_;
  std::string_view series_;        // series section payload
  const char* series_offsets_ = nullptr;
  uint32_t num_series_ = 0;
  std::string_view postings_;      // postings section payload (4-byte aligned)
  std::vector<NameEntry> table_;   // sorted by name
};

}  // namespace strata::tsdb

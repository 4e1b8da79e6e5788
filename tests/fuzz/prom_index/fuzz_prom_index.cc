// libFuzzer target: arbitrary bytes as a Prometheus block's index file. The
// reader must return an error or data, never crash or read out of bounds
// (ASan). Every series listed by the all-series postings is read, with its
// labels and chunk metadata, and every label's values are listed.
// Seeds: seeds/ (index files of small real Prometheus 2.42 blocks).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "tsdb/promblock/prom_index.h"

namespace {

class BytesFile final : public strata::MappedFile {
 public:
  explicit BytesFile(std::string data) : data_(std::move(data)) {}
  std::string_view data() const override { return data_; }

 private:
  std::string data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using strata::tsdb::prom::PromIndex;
  auto ix = PromIndex::open(
      std::make_unique<BytesFile>(std::string(reinterpret_cast<const char*>(data), size)),
      "fuzz/index");
  if (!ix.ok()) return 0;
  auto ids = (*ix)->postings("", "");
  if (!ids.ok()) return 0;
  strata::tsdb::Labels labels;
  std::vector<strata::tsdb::prom::PromChunkMeta> chunks;
  for (uint32_t id : *ids) {
    if (!(*ix)->series(id, &labels, &chunks).ok()) break;
  }
  for (const std::string& name : (*ix)->label_names()) (void)(*ix)->label_values(name);
  return 0;
}

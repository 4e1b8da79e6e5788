#include "remote/write_view.h"

#include <cstring>

#include "base/memory_meter.h"
#include "remote/wire_reader.h"

namespace strata::remote {
namespace {

bool decode_label(Reader r, std::vector<tsdb::LabelView>* out, MemoryMeter* m) {
  std::string_view name, value;
  uint32_t field, wire;
  while (!r.done()) {
    if (!r.tag(&field, &wire)) return false;
    if (field == 1 || field == 2) {
      if (wire != kLen || !r.bytes(field == 1 ? &name : &value)) return false;
    } else if (!r.skip(wire)) {
      return false;
    }
  }
  if (!grow_for_one(*out, m)) return false;
  out->emplace_back(name, value);
  return true;
}

bool decode_sample(Reader r, std::vector<WriteRequestView::Sample>* out, MemoryMeter* m) {
  WriteRequestView::Sample s{0, 0.0};
  if (!decode_sample(r, &s.t_ms, &s.value) || !grow_for_one(*out, m)) return false;
  out->push_back(s);
  return true;
}

bool decode_exemplar(Reader r, WriteRequestView* out, MemoryMeter* m) {
  WriteRequestView::Exemplar e{uint32_t(out->exemplar_labels.size()), 0, 0.0, 0};
  uint32_t field, wire;
  uint64_t v;
  Reader sub;
  while (!r.done()) {
    if (!r.tag(&field, &wire)) return false;
    if (field == 1) {
      if (wire != kLen || !r.sub(&sub) || !decode_label(sub, &out->exemplar_labels, m)) return false;
    } else if (field == 2) {
      if (wire != kFixed64 || !r.fixed64(&v)) return false;
      e.value = as_double(v);
    } else if (field == 3) {
      if (wire != kVarint || !r.varint(&v)) return false;
      e.t_ms = int64_t(v);
    } else if (!r.skip(wire)) {
      return false;
    }
  }
  e.labels_end = uint32_t(out->exemplar_labels.size());
  if (!grow_for_one(out->exemplars, m)) return false;
  out->exemplars.push_back(e);
  return true;
}

bool decode_series(Reader r, WriteRequestView* out, MemoryMeter* m) {
  WriteRequestView::Series s;
  s.labels_begin = uint32_t(out->labels.size());
  s.samples_begin = uint32_t(out->samples.size());
  s.exemplars_begin = uint32_t(out->exemplars.size());
  uint32_t field, wire;
  Reader sub;
  // The label fields' bytes [raw_begin, raw_end) while no other field
  // interrupts them.
  const uint8_t* raw_begin = nullptr;
  const uint8_t* raw_end = nullptr;
  bool contiguous = true;
  while (!r.done()) {
    const uint8_t* field_start = r.p;
    if (!r.tag(&field, &wire)) return false;
    switch (field) {
      case 1:
        if (wire != kLen || !r.sub(&sub) || !decode_label(sub, &out->labels, m)) return false;
        if (raw_begin == nullptr) raw_begin = field_start;
        else if (raw_end != field_start) contiguous = false;
        raw_end = r.p;
        break;
      case 2:
        if (wire != kLen || !r.sub(&sub) || !decode_sample(sub, &out->samples, m)) return false;
        break;
      case 3:
        if (wire != kLen || !r.sub(&sub) || !decode_exemplar(sub, out, m)) return false;
        break;
      case 4:
        return false;  // native histograms: the full parser
      default:
        if (!r.skip(wire)) return false;
    }
  }
  s.labels_end = uint32_t(out->labels.size());
  if (contiguous && raw_begin != nullptr)
    s.raw_labels = std::string_view(reinterpret_cast<const char*>(raw_begin), size_t(raw_end - raw_begin));
  s.samples_end = uint32_t(out->samples.size());
  s.exemplars_end = uint32_t(out->exemplars.size());
  if (!grow_for_one(out->series, m)) return false;
  out->series.push_back(s);
  return true;
}

bool decode_metadata(Reader r, std::vector<WriteRequestView::Metadata>* out, MemoryMeter* meter) {
  WriteRequestView::Metadata md{0, {}, {}, {}};
  uint32_t field, wire;
  uint64_t v;
  while (!r.done()) {
    if (!r.tag(&field, &wire)) return false;
    switch (field) {
      case 1:
        if (wire != kVarint || !r.varint(&v)) return false;
        md.type = int(int32_t(uint32_t(v)));  // an int32 enum: the low 32 bits
        break;
      case 2:
        if (wire != kLen || !r.bytes(&md.family)) return false;
        break;
      case 4:
        if (wire != kLen || !r.bytes(&md.help)) return false;
        break;
      case 5:
        if (wire != kLen || !r.bytes(&md.unit)) return false;
        break;
      default:
        if (!r.skip(wire)) return false;
    }
  }
  if (!grow_for_one(*out, meter)) return false;
  out->push_back(md);
  return true;
}

}  // namespace

void WriteRequestView::clear() {
  series.clear();
  labels.clear();
  samples.clear();
  exemplars.clear();
  exemplar_labels.clear();
  metadata.clear();
}

size_t WriteRequestView::capacity_bytes() const {
  return series.capacity() * sizeof(Series) + labels.capacity() * sizeof(tsdb::LabelView) +
         samples.capacity() * sizeof(Sample) + exemplars.capacity() * sizeof(Exemplar) +
         exemplar_labels.capacity() * sizeof(tsdb::LabelView) + metadata.capacity() * sizeof(Metadata);
}

DecodeResult decode_write_request_view(std::string_view raw, WriteRequestView* out, MemoryMeter* meter) {
  out->clear();
  // A failed read hands the body to libprotobuf, unless it was the meter's refusal.
  auto fail = [meter] {
    return meter != nullptr && !meter->status().ok() ? DecodeResult::kRefused : DecodeResult::kFallback;
  };
  Reader r{reinterpret_cast<const uint8_t*>(raw.data()), reinterpret_cast<const uint8_t*>(raw.data()) + raw.size()};
  uint32_t field, wire;
  Reader sub;
  while (!r.done()) {
    if (!r.tag(&field, &wire)) return fail();
    if (field == 1) {
      if (wire != kLen || !r.sub(&sub) || !decode_series(sub, out, meter)) return fail();
    } else if (field == 3) {
      if (wire != kLen || !r.sub(&sub) || !decode_metadata(sub, &out->metadata, meter)) return fail();
    } else if (!r.skip(wire)) {
      return fail();
    }
  }
  return DecodeResult::kOk;
}

}  // namespace strata::remote

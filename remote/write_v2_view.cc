#include "remote/write_v2_view.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/memory_meter.h"
#include "remote/parse_bound.h"
#include "remote/wire_reader.h"
#include "remote/write_v2.pb.h"

namespace strata::remote {
namespace {

constexpr const char* kWhat = "cannot parse io.prometheus.write.v2.Request: ";

absl::Status malformed(const std::string& where) {
  return absl::InvalidArgumentError(std::string(kWhat) + "malformed " + where);
}

// A repeated uint32 field, packed (one LEN field) or not (VARINTs).
bool read_refs(Reader& r, uint32_t wire, std::vector<uint32_t>* out, MemoryMeter* m) {
  uint64_t v;
  if (wire == kVarint) {
    if (!r.varint(&v) || !grow_for_one(*out, m)) return false;
    out->push_back(uint32_t(v));  // uint32: protobuf keeps the low 32 bits
    return true;
  }
  Reader packed;
  if (wire != kLen || !r.sub(&packed)) return false;
  while (!packed.done()) {
    if (!packed.varint(&v) || !grow_for_one(*out, m)) return false;
    out->push_back(uint32_t(v));
  }
  return true;
}

struct Decoder {
  std::vector<std::string_view> symbols;
  std::vector<uint32_t> refs, label_refs;  // an exemplar's, a series' (reused)
  std::vector<Reader> exemplar_readers;    // a series' (reused)
  WriteRequestView* out;
  MemoryMeter* meter;
  uint64_t histogram_bound = 0;  // of the largest histogram parsed so far (charged)

  // Why a read failed: the meter's refusal, or a malformed `where`.
  absl::Status fail(const std::string& where) const {
    if (meter != nullptr && !meter->status().ok()) return meter->status();
    return malformed(where);
  }

  absl::Status labels(size_t series, const char* what, const std::vector<uint32_t>& refs,
                      std::vector<tsdb::LabelView>* dst) {
    if (refs.size() % 2 != 0)
      return absl::InvalidArgumentError(
          absl::StrCat(kWhat, "timeseries[", series, "]: odd number of ", what, " labels_refs (", refs.size(), ")"));
    for (size_t k = 0; k < refs.size(); ++k) {
      if (refs[k] >= symbols.size())
        return absl::InvalidArgumentError(absl::StrCat(kWhat, "timeseries[", series, "]: ", what, " labels_refs[", k,
                                                       "] = ", refs[k], " is outside the ", symbols.size(),
                                                       " symbols"));
    }
    for (size_t k = 0; k < refs.size(); k += 2) {
      if (!grow_for_one(*dst, meter)) return meter->status();
      dst->emplace_back(symbols[refs[k]], symbols[refs[k + 1]]);
    }
    return absl::OkStatus();
  }

  bool sample(Reader r) {
    WriteRequestView::Sample s{0, 0.0};
    if (!decode_sample(r, &s.t_ms, &s.value) || !grow_for_one(out->samples, meter)) return false;
    out->samples.push_back(s);
    return true;
  }

  absl::Status exemplar(Reader r, size_t series) {
    WriteRequestView::Exemplar e{uint32_t(out->exemplar_labels.size()), 0, 0.0, 0};
    uint32_t field, wire;
    uint64_t v;
    refs.clear();
    while (!r.done()) {
      if (!r.tag(&field, &wire)) return malformed("exemplar");
      if (field == 1) {
        if (!read_refs(r, wire, &refs, meter)) return fail("exemplar labels_refs");
      } else if (field == 2) {
        if (wire != kFixed64 || !r.fixed64(&v)) return malformed("exemplar value");
        e.value = as_double(v);
      } else if (field == 3) {
        if (wire != kVarint || !r.varint(&v)) return malformed("exemplar timestamp");
        e.t_ms = int64_t(v);
      } else if (!r.skip(wire)) {
        return malformed("exemplar");
      }
    }
    if (absl::Status s = labels(series, "exemplar", refs, &out->exemplar_labels); !s.ok()) return s;
    e.labels_end = uint32_t(out->exemplar_labels.size());
    if (!grow_for_one(out->exemplars, meter)) return meter->status();
    out->exemplars.push_back(e);
    return absl::OkStatus();
  }

  // Metadata fields (type, help_ref, unit_ref); false when malformed.
  bool metadata(Reader r, int* type, uint64_t* help, uint64_t* unit) {
    uint32_t field, wire;
    uint64_t v;
    while (!r.done()) {
      if (!r.tag(&field, &wire)) return false;
      if (field == 1 || field == 3 || field == 4) {
        if (wire != kVarint || !r.varint(&v)) return false;
        if (field == 1) *type = int(int32_t(uint32_t(v)));
        else (field == 3 ? *help : *unit) = uint32_t(v);
      } else if (!r.skip(wire)) {
        return false;
      }
    }
    return true;
  }

  absl::Status series(Reader r, size_t index) {
    WriteRequestView::Series s;
    s.labels_begin = uint32_t(out->labels.size());
    s.samples_begin = uint32_t(out->samples.size());
    s.exemplars_begin = uint32_t(out->exemplars.size());
    label_refs.clear();
    exemplar_readers.clear();
    int md_type = 0;
    uint64_t md_help = 0, md_unit = 0;
    bool has_md = false;
    uint32_t field, wire;
    Reader sub;
    while (!r.done()) {
      if (!r.tag(&field, &wire)) return malformed(absl::StrCat("timeseries[", index, "]"));
      switch (field) {
        case 1:
          if (!read_refs(r, wire, &label_refs, meter))
            return fail(absl::StrCat("timeseries[", index, "] labels_refs"));
          break;
        case 2:
          if (wire != kLen || !r.sub(&sub) || !sample(sub))
            return fail(absl::StrCat("timeseries[", index, "] sample"));
          break;
        case 3:
          // Not supported yet: counted and rejected at ingest. Rare, so
          // libprotobuf checks that it is well formed, in memory charged
          // first (once, for the largest: each parse frees the last).
          if (wire != kLen || !r.sub(&sub)) return malformed(absl::StrCat("timeseries[", index, "] histogram"));
          if (uint64_t b = protobuf_parse_bound(std::string_view(reinterpret_cast<const char*>(sub.p),
                                                                 size_t(sub.end - sub.p)),
                                                io::prometheus::write::v2::Histogram::descriptor());
              b > histogram_bound) {
            if (meter != nullptr && !meter->charge(b - histogram_bound)) return meter->status();
            histogram_bound = b;
          }
          if (!io::prometheus::write::v2::Histogram().ParseFromArray(sub.p, int(sub.end - sub.p)))
            return malformed(absl::StrCat("timeseries[", index, "] histogram"));
          ++s.histograms;
          break;
        case 4:
          if (wire != kLen || !r.sub(&sub)) return malformed(absl::StrCat("timeseries[", index, "] exemplar"));
          if (!grow_for_one(exemplar_readers, meter)) return meter->status();
          exemplar_readers.push_back(sub);  // after the series' labels are known
          break;
        case 5:
          // A repeated occurrence of a message field merges into the first;
          // for these scalars the last value wins.
          if (wire != kLen || !r.sub(&sub) || !metadata(sub, &md_type, &md_help, &md_unit))
            return malformed(absl::StrCat("timeseries[", index, "] metadata"));
          has_md = true;
          break;
        default:
          if (!r.skip(wire)) return malformed(absl::StrCat("timeseries[", index, "]"));
      }
    }
    if (absl::Status st = labels(index, "series", label_refs, &out->labels); !st.ok()) return st;
    s.labels_end = uint32_t(out->labels.size());
    s.samples_end = uint32_t(out->samples.size());
    for (Reader& e : exemplar_readers)
      if (absl::Status st = exemplar(e, index); !st.ok()) return st;
    s.exemplars_end = uint32_t(out->exemplars.size());
    if (has_md) {
      if (md_help >= symbols.size() || md_unit >= symbols.size())
        return absl::InvalidArgumentError(absl::StrCat(kWhat, "timeseries[", index,
                                                       "]: metadata help_ref or unit_ref is outside the ",
                                                       symbols.size(), " symbols"));
      std::string_view family;
      for (uint32_t k = s.labels_begin; k < s.labels_end; ++k)
        if (out->labels[k].first == "__name__") family = out->labels[k].second;
      bool known = !out->metadata.empty() && out->metadata.back().family == family;
      if (!family.empty() && !known && (md_type != 0 || md_help != 0 || md_unit != 0)) {
        if (!grow_for_one(out->metadata, meter)) return meter->status();
        out->metadata.push_back({md_type, family, symbols[md_help], symbols[md_unit]});
      }
    }
    if (!grow_for_one(out->series, meter)) return meter->status();
    out->series.push_back(s);
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status decode_write_v2_request(std::string_view raw, WriteRequestView* out, MemoryMeter* meter) {
  out->clear();
  Decoder d;
  d.out = out;
  d.meter = meter;
  Reader r{reinterpret_cast<const uint8_t*>(raw.data()), reinterpret_cast<const uint8_t*>(raw.data()) + raw.size()};
  // Symbols may follow the series on the wire: collect both first.
  std::vector<Reader> series;
  uint32_t field, wire;
  while (!r.done()) {
    if (!r.tag(&field, &wire)) return malformed("request");
    if (field == 4) {
      std::string_view sym;
      if (wire != kLen || !r.bytes(&sym)) return malformed("symbols");
      if (!grow_for_one(d.symbols, meter)) return meter->status();
      d.symbols.push_back(sym);
    } else if (field == 5) {
      Reader sub;
      if (wire != kLen || !r.sub(&sub)) return malformed("timeseries");
      if (!grow_for_one(series, meter)) return meter->status();
      series.push_back(sub);
    } else if (field <= 3) {
      // Reserved in 2.0: a 1.0 WriteRequest under a 2.0 Content-Type would
      // otherwise be read as an empty request and silently dropped.
      return absl::InvalidArgumentError(std::string(kWhat) +
                                        "fields 1-3 are reserved in remote write 2.0: is this a 1.0 "
                                        "WriteRequest sent with a 2.0 Content-Type?");
    } else if (!r.skip(wire)) {
      return malformed("request");
    }
  }
  for (size_t i = 0; i < series.size(); ++i)
    if (absl::Status s = d.series(series[i], i); !s.ok()) return s;
  return absl::OkStatus();
}

}  // namespace strata::remote

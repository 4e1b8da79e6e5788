#include "remote/wire_check.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"

namespace strata::remote {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Wire types (protobuf encoding spec).
constexpr int kVarint = 0, kI64 = 1, kLen = 2, kSGroup = 3, kEGroup = 4, kI32 = 5;
// protobuf's own nesting limit; our schema nests 4 deep, groups may nest more.
constexpr int kMaxDepth = 100;

const char* wire_type_name(int wt) {
  switch (wt) {
    case kVarint: return "varint";
    case kI64: return "fixed64";
    case kLen: return "length-delimited";
    case kSGroup: return "start-group";
    case kEGroup: return "end-group";
    case kI32: return "fixed32";
    default: return "invalid";
  }
}

int wire_type_for(const FieldDescriptor* f) {
  switch (f->type()) {
    case FieldDescriptor::TYPE_DOUBLE:
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64: return kI64;
    case FieldDescriptor::TYPE_FLOAT:
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32: return kI32;
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE: return kLen;
    case FieldDescriptor::TYPE_GROUP: return kSGroup;
    default: return kVarint;
  }
}

// Recursive-descent walker over raw protobuf bytes.
class Walker {
 public:
  explicit Walker(std::string_view data) : begin_(data.data()) {}

  // Empty string = well-formed. `group_field` != 0 while inside a group,
  // which must end with the matching end-group tag.
  std::string walk(const char* p, const char* end, const Descriptor* desc, const std::string& path,
                   int depth, uint32_t group_field = 0) {
    if (depth > kMaxDepth) return at(path, p, "nesting deeper than 100 levels");
    std::vector<std::pair<int, int>> seen;  // field number -> occurrences so far
    while (p < end) {
      const char* tag_pos = p;
      uint64_t tag;
      if (std::string err = varint(&p, end, &tag); !err.empty()) return at(path, tag_pos, err + " (tag)");
      uint64_t number = tag >> 3;
      int wt = int(tag & 7);
      if (number == 0 || number > (1u << 29) - 1)
        return at(path, tag_pos, absl::StrCat("invalid field number ", number));
      if (wt == kEGroup) {
        if (group_field == number) return "";
        return at(path, tag_pos, absl::StrCat("unexpected end-group tag for field ", number));
      }
      if (wt > kI32) return at(path, tag_pos, absl::StrCat("invalid wire type ", wt));

      const FieldDescriptor* f = desc ? desc->FindFieldByNumber(int(number)) : nullptr;
      std::string fpath = field_path(path, f, number, &seen);
      if (f && wt != wire_type_for(f) && !(wt == kLen && f->is_packable()))
        return at(fpath, tag_pos,
                  absl::StrCat("wire type ", wire_type_name(wt), ", want ",
                               wire_type_name(wire_type_for(f))));
      switch (wt) {
        case kVarint: {
          uint64_t v;
          if (std::string err = varint(&p, end, &v); !err.empty()) return at(fpath, p, err);
          break;
        }
        case kI64:
        case kI32: {
          size_t n = wt == kI64 ? 8 : 4;
          if (size_t(end - p) < n)
            return at(fpath, p, absl::StrCat("truncated ", wire_type_name(wt), " value"));
          p += n;
          break;
        }
        case kLen: {
          const char* len_pos = p;
          uint64_t len;
          if (std::string err = varint(&p, end, &len); !err.empty())
            return at(fpath, len_pos, err + " (length)");
          if (len > uint64_t(end - p))
            return at(fpath, len_pos,
                      absl::StrCat("length ", len, " exceeds the remaining ", end - p, " bytes"));
          if (f && f->type() == FieldDescriptor::TYPE_MESSAGE) {
            std::string err = walk(p, p + len, f->message_type(), fpath, depth + 1);
            if (!err.empty()) return err;
          } else if (f && f->is_packable()) {
            std::string err = packed(p, p + len, f, fpath);
            if (!err.empty()) return err;
          }
          p += len;
          break;
        }
        case kSGroup: {
          // Unknown groups (deprecated) are skipped by protobuf; find the end.
          std::string err = walk_group(&p, end, uint32_t(number), fpath, depth + 1);
          if (!err.empty()) return err;
          break;
        }
      }
    }
    if (group_field != 0) return at(path, p, absl::StrCat("missing end-group tag for field ", group_field));
    return "";
  }

 private:
  std::string walk_group(const char** p, const char* end, uint32_t number, const std::string& path,
                         int depth) {
    // Re-walk from *p, stopping right after the matching end-group tag.
    const char* q = *p;
    int nest = 0;
    while (q < end) {
      const char* tag_pos = q;
      uint64_t tag;
      if (std::string err = varint(&q, end, &tag); !err.empty()) return at(path, tag_pos, err);
      int wt = int(tag & 7);
      uint64_t num = tag >> 3;
      if (num == 0) return at(path, tag_pos, "invalid field number 0");
      if (wt == kEGroup) {
        if (nest == 0) {
          if (num != number)
            return at(path, tag_pos, absl::StrCat("end-group tag for field ", num, ", want ", number));
          *p = q;
          return "";
        }
        --nest;
        continue;
      }
      if (wt == kSGroup) {
        if (++nest + depth > kMaxDepth) return at(path, tag_pos, "nesting deeper than 100 levels");
        continue;
      }
      if (wt == kVarint) {
        uint64_t v;
        if (std::string err = varint(&q, end, &v); !err.empty()) return at(path, q, err);
      } else if (wt == kI64 || wt == kI32) {
        size_t n = wt == kI64 ? 8 : 4;
        if (size_t(end - q) < n) return at(path, q, "truncated fixed value");
        q += n;
      } else if (wt == kLen) {
        uint64_t len;
        const char* len_pos = q;
        if (std::string err = varint(&q, end, &len); !err.empty()) return at(path, len_pos, err);
        if (len > uint64_t(end - q)) return at(path, len_pos, "length exceeds the remaining bytes");
        q += len;
      } else {
        return at(path, tag_pos, absl::StrCat("invalid wire type ", wt));
      }
    }
    return at(path, q, absl::StrCat("missing end-group tag for field ", number));
  }

  std::string packed(const char* p, const char* end, const FieldDescriptor* f,
                     const std::string& path) {
    int wt = wire_type_for(f);
    size_t n = size_t(end - p);
    if (wt == kI64 && n % 8 != 0)
      return at(path, p, absl::StrCat("packed length ", n, " is not a multiple of 8"));
    if (wt == kI32 && n % 4 != 0)
      return at(path, p, absl::StrCat("packed length ", n, " is not a multiple of 4"));
    while (wt == kVarint && p < end) {
      uint64_t v;
      if (std::string err = varint(&p, end, &v); !err.empty()) return at(path, p, err);
    }
    return "";
  }

  static std::string varint(const char** p, const char* end, uint64_t* out) {
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (*p >= end) return "truncated varint";
      uint8_t b = uint8_t(**p);
      ++*p;
      v |= uint64_t(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        *out = v;
        return "";
      }
    }
    return "varint longer than 10 bytes";
  }

  static std::string field_path(const std::string& path, const FieldDescriptor* f, uint64_t number,
                                std::vector<std::pair<int, int>>* seen) {
    std::string name = f ? f->name() : absl::StrCat("<field ", number, ">");
    std::string out = path.empty() ? name : absl::StrCat(path, ".", name);
    if (f && f->is_repeated()) {
      int idx = 0;
      bool found = false;
      for (auto& [num, count] : *seen) {
        if (num == int(number)) {
          idx = count++;
          found = true;
          break;
        }
      }
      if (!found) seen->emplace_back(int(number), 1);
      if (f->type() == FieldDescriptor::TYPE_MESSAGE) absl::StrAppend(&out, "[", idx, "]");
    }
    return out;
  }

  std::string at(const std::string& path, const char* pos, const std::string& what) const {
    std::string where = absl::StrCat(what, " at byte ", pos - begin_);
    return path.empty() ? where : absl::StrCat(path, ": ", where);
  }

  const char* begin_;
};

template <typename M>
const google::protobuf::UnknownFieldSet& unknown_fields(const M& m) {
  static const google::protobuf::Reflection* const reflection = M::GetReflection();
  return reflection->GetUnknownFields(m);
}

template <typename M>
std::string misdecoded(const M& m, const std::string& path) {
  const auto& unknown = unknown_fields(m);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const auto& uf = unknown.field(i);
    const FieldDescriptor* f = M::descriptor()->FindFieldByNumber(uf.number());
    if (!f) continue;
    static constexpr int kWt[] = {kVarint, kI32, kI64, kLen, kSGroup};
    int wt = kWt[int(uf.type())];
    return absl::StrCat(path, path.empty() ? "" : ".", f->name(), ": wire type ",
                        wire_type_name(wt), ", want ", wire_type_name(wire_type_for(f)));
  }
  return "";
}

// The fast check: true when some message has unknown fields at all.
template <typename M>
inline bool has_unknown(const M& m) {
  return !unknown_fields(m).empty();
}

std::string check_labels(const google::protobuf::RepeatedPtrField<prometheus::Label>& labels,
                         const std::string& path) {
  for (int i = 0; i < labels.size(); ++i) {
    if (has_unknown(labels[i])) {
      std::string err = misdecoded(labels[i], absl::StrCat(path, ".labels[", i, "]"));
      if (!err.empty()) return err;
    }
  }
  return "";
}

std::string check_series(const prometheus::TimeSeries& ts, const std::string& path) {
  if (has_unknown(ts)) {
    if (std::string err = misdecoded(ts, path); !err.empty()) return err;
  }
  if (std::string err = check_labels(ts.labels(), path); !err.empty()) return err;
  for (int i = 0; i < ts.samples_size(); ++i) {
    if (has_unknown(ts.samples(i))) {
      std::string err = misdecoded(ts.samples(i), absl::StrCat(path, ".samples[", i, "]"));
      if (!err.empty()) return err;
    }
  }
  for (int i = 0; i < ts.exemplars_size(); ++i) {
    std::string epath = absl::StrCat(path, ".exemplars[", i, "]");
    if (has_unknown(ts.exemplars(i))) {
      if (std::string err = misdecoded(ts.exemplars(i), epath); !err.empty()) return err;
    }
    if (std::string err = check_labels(ts.exemplars(i).labels(), epath); !err.empty()) return err;
  }
  for (int i = 0; i < ts.histograms_size(); ++i) {
    const auto& h = ts.histograms(i);
    std::string hpath = absl::StrCat(path, ".histograms[", i, "]");
    if (has_unknown(h)) {
      if (std::string err = misdecoded(h, hpath); !err.empty()) return err;
    }
    for (const auto* spans : {&h.negative_spans(), &h.positive_spans()}) {
      for (const auto& s : *spans) {
        if (has_unknown(s)) {
          if (std::string err = misdecoded(s, hpath + ".spans[]"); !err.empty()) return err;
        }
      }
    }
  }
  return "";
}

}  // namespace

std::string describe_wire_error(std::string_view data, const Descriptor* desc) {
  Walker w(data);
  return w.walk(data.data(), data.data() + data.size(), desc, "", 0);
}

absl::Status check_known_fields(const prometheus::WriteRequest& req) {
  std::string err;
  if (has_unknown(req)) err = misdecoded(req, "");
  for (int i = 0; err.empty() && i < req.timeseries_size(); ++i) {
    const auto& ts = req.timeseries(i);
    // Build the path string only when this series has something to report.
    if (!has_unknown(ts) && ts.exemplars_size() == 0 && ts.histograms_size() == 0) {
      bool clean = true;
      for (const auto& l : ts.labels()) clean &= !has_unknown(l);
      for (const auto& s : ts.samples()) clean &= !has_unknown(s);
      if (clean) continue;
    }
    err = check_series(ts, absl::StrCat("timeseries[", i, "]"));
  }
  for (int i = 0; err.empty() && i < req.metadata_size(); ++i) {
    if (has_unknown(req.metadata(i)))
      err = misdecoded(req.metadata(i), absl::StrCat("metadata[", i, "]"));
  }
  if (err.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("cannot parse WriteRequest: ", err));
}

}  // namespace strata::remote

#include "scrape/scrape_append.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "fmt/format.h"
#include "tsdb/labels/relabel.h"
#include "tsdb/series.h"

namespace strata::scrape {
namespace {

constexpr std::string_view kExportedPrefix = "exported_";
constexpr const char* kSampleLimitExceeded = "sample limit exceeded";

double stale_nan() { return std::bit_cast<double>(tsdb::kStaleNaNBits); }
bool is_stale(double v) { return std::bit_cast<uint64_t>(v) == tsdb::kStaleNaNBits; }

// The report series, in the order Prometheus writes them; the last three
// only with extra-scrape-metrics.
constexpr const char* kReportNames[] = {
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "scrape_timeout_seconds",
    "scrape_sample_limit",
    "scrape_body_size_bytes",
};
constexpr size_t kBasicReports = 5;

// Go's fmt "%.50s": at most 50 characters (runes), not bytes.
std::string first_runes(std::string_view s, size_t n) {
  size_t i = 0, runes = 0;
  while (i < s.size() && runes < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    i = std::min(s.size(), i + len);
    ++runes;
  }
  return std::string(s.substr(0, i));
}

size_t rune_count(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  return n;
}

const tsdb::Label* find(const std::vector<tsdb::Label>& ls, std::string_view name) {
  for (const auto& l : ls)
    if (l.name == name) return &l;
  return nullptr;
}

// Prometheus' label limit checks, with its messages; they fail the scrape.
absl::Status check_label_limits(const tsdb::Labels& ls, const ScrapeConfig& c) {
  std::string metric = first_runes(ls.metric_name(), 50);
  if (c.label_limit > 0 && ls.size() > c.label_limit)
    return absl::InvalidArgumentError(fmt::format("label_limit exceeded (metric: {}, number of labels: {}, limit: {})",
                                                  metric, ls.size(), c.label_limit));
  if (c.label_name_length_limit == 0 && c.label_value_length_limit == 0) return absl::OkStatus();
  for (const auto& l : ls) {
    if (c.label_name_length_limit > 0 && rune_count(l.name) > c.label_name_length_limit)
      return absl::InvalidArgumentError(fmt::format(
          "label_name_length_limit exceeded (metric: {}, label name: {}, length: {}, limit: {})", metric,
          first_runes(l.name, 50), rune_count(l.name), c.label_name_length_limit));
    if (c.label_value_length_limit > 0 && rune_count(l.value) > c.label_value_length_limit)
      return absl::InvalidArgumentError(fmt::format(
          "label_value_length_limit exceeded (metric: {}, label name: {}, value: {}, length: {}, limit: {})",
          metric, first_runes(l.name, 50), tsdb::go_quote(first_runes(l.value, 50)), rune_count(l.value),
          c.label_value_length_limit));
  }
  return absl::OkStatus();
}

}  // namespace

ScrapeAppender::ScrapeAppender(AppendOptions opts) { set_options(std::move(opts)); }

void ScrapeAppender::set_options(AppendOptions opts) {
  bool same_series = opts_.config && opts.config && opts_.target_labels == opts.target_labels &&
                     opts_.prometheus_v2 == opts.prometheus_v2 &&
                     opts_.config->honor_labels == opts.config->honor_labels &&
                     opts_.config->metric_relabel_configs == opts.config->metric_relabel_configs &&
                     opts_.config->label_limit == opts.config->label_limit &&
                     opts_.config->label_name_length_limit == opts.config->label_name_length_limit &&
                     opts_.config->label_value_length_limit == opts.config->label_value_length_limit;
  opts_ = std::move(opts);
  if (!same_series) {
    // Cached series were built with the old rules; staleness tracking stays.
    series_.clear();
    dropped_.clear();
  }
  size_t n = opts_.extra_metrics ? std::size(kReportNames) : kBasicReports;
  report_labels_.clear();
  for (size_t i = 0; i < n; ++i) report_labels_.push_back(opts_.target_labels.with(tsdb::kMetricName, kReportNames[i]));
  report_refs_.assign(n, 0);
}

std::optional<tsdb::Labels> ScrapeAppender::target_series(std::vector<tsdb::LabelView>& exposed,
                                                         absl::Status* error, ScrapeOutcome* out) {
  const ScrapeConfig& c = *opts_.config;
  std::vector<tsdb::Label> ls;
  ls.reserve(exposed.size() + opts_.target_labels.size());
  std::stable_sort(exposed.begin(), exposed.end(),
                   [](const tsdb::LabelView& a, const tsdb::LabelView& b) { return a.first < b.first; });
  for (size_t i = 0; i < exposed.size(); ++i) {
    if (i > 0 && exposed[i].first == exposed[i - 1].first) {
      *error = absl::InvalidArgumentError(
          fmt::format("label name \"{}\" is not unique: invalid sample", std::string(exposed[i].first)));
      return std::nullopt;
    }
    ls.push_back({std::string(exposed[i].first), std::string(exposed[i].second)});
  }
  const tsdb::Labels& target = opts_.target_labels;
  if (c.honor_labels) {
    for (const auto& l : target)
      if (!find(ls, l.name)) ls.push_back(l);
  } else {
    // Exposed labels that clash with a (non-empty) target label are kept as
    // exported_<name>, shortest names first, prefixing until the name is free.
    std::vector<tsdb::Label> clashes;
    for (const auto& l : target) {
      if (const tsdb::Label* e = find(ls, l.name); e && !e->value.empty()) clashes.push_back(*e);
    }
    std::stable_sort(clashes.begin(), clashes.end(),
                     [](const tsdb::Label& a, const tsdb::Label& b) { return a.name.size() < b.name.size(); });
    for (size_t i = 0; i < clashes.size(); ++i) {
      std::string name = clashes[i].name;
      while (true) {
        name.insert(0, kExportedPrefix);
        bool taken = find(ls, name) || target.has(name);
        for (size_t j = 0; j < i && !taken; ++j) taken = clashes[j].name == name;
        if (!taken) break;
      }
      clashes[i].name = std::move(name);
    }
    for (const auto& l : target) {
      if (tsdb::Label* e = const_cast<tsdb::Label*>(find(ls, l.name))) {
        e->value = l.value;
      } else {
        ls.push_back(l);
      }
    }
    for (auto& l : clashes) ls.push_back(std::move(l));
  }
  tsdb::Labels lset = tsdb::Labels::from_unsorted(std::move(ls));
  if (!c.metric_relabel_configs.empty()) {
    tsdb::relabel::Options ro;
    ro.legacy_label_names = opts_.prometheus_v2;
    std::optional<tsdb::Labels> r = tsdb::relabel::process(lset, c.metric_relabel_configs, ro);
    if (!r) return std::nullopt;
    lset = std::move(*r);
  }
  if (lset.empty()) return std::nullopt;
  if (lset.metric_name().empty()) {
    *error = absl::InvalidArgumentError("missing metric name (__name__ label)");
    return std::nullopt;
  }
  bool valid = true;
  for (const auto& l : lset) {
    if (!tsdb::is_valid_utf8(l.value)) valid = false;
    if (!opts_.prometheus_v2) {
      if (l.name.empty() || !tsdb::is_valid_utf8(l.name)) valid = false;
    } else if (l.name == tsdb::kMetricName ? !tsdb::is_valid_metric_name(l.value)
                                            : !tsdb::is_valid_label_name(l.name)) {
      valid = false;
    }
  }
  if (!valid) {
    *error = absl::InvalidArgumentError("invalid metric name or label names: " + lset.to_string());
    return std::nullopt;
  }
  if (absl::Status s = check_label_limits(lset, c); !s.ok()) {
    out->label_limits_exceeded = true;
    *error = std::move(s);
    return std::nullopt;
  }
  // Empty values mean "absent": storage never sees them.
  if (std::any_of(lset.begin(), lset.end(), [](const tsdb::Label& l) { return l.value.empty(); })) {
    std::vector<tsdb::Label> kept;
    for (const auto& l : lset)
      if (!l.value.empty()) kept.push_back(l);
    lset = tsdb::Labels(std::move(kept));
  }
  return lset;
}

ScrapeAppender::Meta& ScrapeAppender::meta(std::string_view family) {
  auto it = meta_.find(family);
  if (it == meta_.end()) {
    it = meta_.emplace(std::string(family), Meta{}).first;
    meta_changed_ = true;
  }
  it->second.last_iter = iter_;
  return it->second;
}

bool ScrapeAppender::append_body(tsdb::IngestBatch& b, textparse::Format format, std::string_view body,
                                 int64_t t_ms, ScrapeOutcome* out) {
  const ScrapeConfig& c = *opts_.config;
  textparse::ParseOptions po;
  po.normalize_float_labels = !opts_.prometheus_v2;
  std::unique_ptr<textparse::Parser> p = textparse::Parser::create(format, body, po);
  uint64_t limited = 0;  // samples counted against sample_limit
  int index = 0;
  while (true) {
    absl::StatusOr<textparse::Entry> e = p->next();
    if (!e.ok()) {
      out->error = e.status();
      return false;
    }
    switch (*e) {
      case textparse::Entry::kEof: break;
      case textparse::Entry::kType: {
        Meta& m = meta(p->metric_family());
        std::string type = textparse::metric_type_name(p->type());
        if (m.md.type != type) m.stored = false, meta_changed_ = true, m.md.type = std::move(type);
        continue;
      }
      case textparse::Entry::kHelp: {
        Meta& m = meta(p->metric_family());
        if (m.md.help != p->help()) m.stored = false, meta_changed_ = true, m.md.help = std::string(p->help());
        continue;
      }
      case textparse::Entry::kUnit: {
        Meta& m = meta(p->metric_family());
        if (m.md.unit != p->unit()) m.stored = false, meta_changed_ = true, m.md.unit = std::string(p->unit());
        continue;
      }
      case textparse::Entry::kComment: continue;
      case textparse::Entry::kSeries: break;
    }
    if (*e == textparse::Entry::kEof) break;

    ++out->total;
    std::optional<int64_t> ts = c.honor_timestamps ? p->timestamp_ms() : std::nullopt;
    int64_t t = ts ? *ts : t_ms;
    double v = p->value();
    // Debian's Abseil has its own string_view: look up in that form.
    const std::string_view series_bytes = p->series();
    const absl::string_view key(series_bytes.data(), series_bytes.size());
    auto it = series_.find(key);
    bool is_new = it == series_.end();
    if (is_new) {
      if (auto d = dropped_.find(key); d != dropped_.end()) {
        d->second = iter_;
        continue;
      }
      views_.clear();
      p->labels(&views_);
      absl::Status err;
      std::optional<tsdb::Labels> ls = target_series(views_, &err, out);
      if (!err.ok()) {
        out->error = std::move(err);
        return false;
      }
      if (!ls) {
        dropped_.emplace(std::string(series_bytes), iter_);
        continue;
      }
      Entry entry;
      entry.hash = ls->hash();
      entry.labels = std::make_shared<const tsdb::Labels>(std::move(*ls));
      it = series_.emplace(std::string(series_bytes), std::move(entry)).first;
    }
    Entry& entry = it->second;
    entry.last_iter = iter_;
    ++out->added;  // counted even past the sample limit, as Prometheus reports it
    if (c.sample_limit > 0 && !is_stale(v) && ++limited > c.sample_limit) {
      out->sample_limit_exceeded = true;
      continue;  // keep parsing to count the samples
    }
    textparse::ParsedExemplar ex;
    bool has_exemplar = p->exemplar(&ex);
    uint64_t rejected_before = b.progress().total_rejected();
    tsdb::IngestBatch::Series s = b.begin_series(index++, entry.ref, *entry.labels, 1, has_exemplar ? 1 : 0);
    if (!s.valid()) {
      out->error = b.progress().first_error;
      return false;
    }
    if (!s.append(t, v)) {
      out->storage_error = b.progress().fatal;
      out->error = out->storage_error;
      return false;
    }
    bool stored = b.progress().total_rejected() == rejected_before;
    entry.ref = s.ref();
    // Series with their own timestamps do not go stale unless asked.
    if ((stored || is_new) && (!ts || c.track_timestamps_staleness)) cur_[entry.hash] = entry.labels;
    if (is_new && stored) ++out->series_added;
    if (has_exemplar && stored) {
      tsdb::Exemplar te;
      std::vector<tsdb::Label> el;
      for (const auto& [n, val] : ex.labels) el.push_back({std::string(n), std::string(val)});
      te.labels = tsdb::Labels::from_unsorted(std::move(el));
      te.value = ex.value;
      te.t_ms = ex.t_ms ? *ex.t_ms : t;
      s.exemplar(te);
    }
  }
  if (out->sample_limit_exceeded) {
    out->error = absl::InvalidArgumentError(kSampleLimitExceeded);
    return false;
  }
  return true;
}

void ScrapeAppender::mark_stale(tsdb::IngestBatch& b, int64_t t_ms) {
  int index = 0;
  for (const auto& [hash, labels] : prev_) {
    if (cur_.contains(hash)) continue;
    tsdb::IngestBatch::Series s = b.begin_series(index++, 0, *labels, 1, 0);
    // Out of order or duplicate: the series has a newer sample; no marker.
    if (s.valid()) s.append(t_ms, stale_nan());
  }
}

void ScrapeAppender::report(tsdb::IngestBatch& b, int64_t t_ms, bool up, double duration_s,
                            const ScrapeOutcome& o, uint64_t body_bytes, bool stale) {
  const ScrapeConfig& c = *opts_.config;
  const double values[] = {
      up ? 1.0 : 0.0,
      duration_s,
      double(o.total),
      double(o.added),
      double(o.series_added),
      double(c.scrape_timeout_ms) / 1000.0,
      double(c.sample_limit),
      double(body_bytes),
  };
  for (size_t i = 0; i < report_labels_.size(); ++i) {
    tsdb::IngestBatch::Series s = b.begin_series(int(i), report_refs_[i], report_labels_[i], 1, 0);
    if (!s.valid()) continue;
    s.append(t_ms, stale ? stale_nan() : values[i]);
    report_refs_[i] = s.ref();
  }
}

void ScrapeAppender::finish_iteration(bool successful) {
  // A failed scrape is an empty one: nothing was seen, so nothing is evicted.
  if (successful) {
    // Entries not seen in this or the previous successful scrape go.
    absl::erase_if(series_, [&](const auto& kv) { return kv.second.last_iter < iter_ - 1; });
    absl::erase_if(dropped_, [&](const auto& kv) { return kv.second < iter_ - 1; });
    if (std::erase_if(meta_, [&](const auto& kv) { return kv.second.last_iter < iter_ - 1; }) > 0)
      meta_changed_ = true;
  }
  // Swapped, not moved: both sets keep their capacity for the next scrape.
  prev_.swap(cur_);
  cur_.clear();
  ++iter_;
}

ScrapeOutcome ScrapeAppender::scrape(tsdb::Appendable& db, const absl::Status& fetch_error,
                                     textparse::Format format, std::string_view body,
                                     int64_t t_ms, double duration_s, uint64_t body_bytes) {
  ScrapeOutcome out;
  tsdb::IngestOptions io;
  io.utf8_names = !opts_.prometheus_v2;
  io.item_name = "sample";
  auto batch = std::make_unique<tsdb::IngestBatch>(db, io);
  bool ok = fetch_error.ok();
  out.error = fetch_error;
  if (ok && !body.empty()) ok = append_body(*batch, format, body, t_ms, &out);
  if (!ok) {
    // Nothing of a failed scrape is kept: start over with an empty scrape.
    batch->abort();
    batch = std::make_unique<tsdb::IngestBatch>(db, io);
    // The report still says what the failed attempt counted, as Prometheus'.
    cur_.clear();
  } else {
    // Metadata that changed since it was last stored.
    for (auto& [family, m] : meta_) {
      if (m.stored || m.last_iter != iter_) continue;
      batch->metadata(family, m.md);
      m.stored = true;
    }
  }
  mark_stale(*batch, t_ms);
  report(*batch, t_ms, ok, duration_s, out, body_bytes, /*stale=*/false);
  tsdb::IngestResult r = batch->commit();
  for (size_t i = 0; i < tsdb::kNumRejectReasons; ++i) out.rejected[i] += r.rejected[i];
  if (!r.fatal.ok()) out.storage_error = r.fatal;
  finish_iteration(ok);
  return out;
}

absl::Status ScrapeAppender::end_of_run(tsdb::Appendable& db, int64_t t_ms) {
  tsdb::IngestBatch b(db, {});
  mark_stale(b, t_ms);
  ScrapeOutcome none;
  report(b, t_ms, false, 0, none, 0, /*stale=*/true);
  tsdb::IngestResult r = b.commit();
  finish_iteration(false);
  return r.fatal;
}

std::optional<std::vector<std::pair<std::string, tsdb::MetricMetadata>>> ScrapeAppender::changed_metadata() {
  if (!meta_changed_) return std::nullopt;
  meta_changed_ = false;
  std::vector<std::pair<std::string, tsdb::MetricMetadata>> out;
  for (const auto& [family, m] : meta_) out.emplace_back(family, m.md);
  return out;
}

}  // namespace strata::scrape

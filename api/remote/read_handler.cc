#include "api/remote/read_handler.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "remote/read_codec.h"
#include "tsdb/chunkenc/xor_chunk.h"

namespace strata::api::remote {
namespace {

using prometheus::ReadRequest;

// Prometheus' chunk size: the reader decodes whole chunks, so this bounds
// its work per chunk the same way.
constexpr int kSamplesPerChunk = 120;

int status_for(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kResourceExhausted: return 413;
    case absl::StatusCode::kCancelled: return 503;
    default: return 500;
  }
}

// The series' labels with the external labels it lacks, sorted by name.
std::vector<tsdb::Label> with_external(const tsdb::Labels& own, const tsdb::Labels& ext) {
  std::vector<tsdb::Label> out;
  out.reserve(own.size() + ext.size());
  auto a = own.begin(), b = ext.begin();
  while (a != own.end() || b != ext.end()) {
    if (b == ext.end() || (a != own.end() && a->name <= b->name)) {
      if (b != ext.end() && a->name == b->name) ++b;  // the series' own wins
      out.push_back(*a++);
    } else {
      out.push_back(*b++);
    }
  }
  return out;
}

template <typename AddLabel>
void set_labels(const std::vector<tsdb::Label>& labels, AddLabel add) {
  for (const tsdb::Label& l : labels) {
    prometheus::Label* pl = add();
    pl->set_name(l.name);
    pl->set_value(l.value);
  }
}

absl::StatusOr<tsdb::Matchers> to_matchers(const prometheus::Query& q, const tsdb::Labels& ext,
                                           tsdb::RegexOptions regex) {
  tsdb::Matchers out;
  for (const prometheus::LabelMatcher& m : q.matchers()) {
    tsdb::MatchType type;
    switch (m.type()) {
      case prometheus::LabelMatcher::EQ: type = tsdb::MatchType::kEqual; break;
      case prometheus::LabelMatcher::NEQ: type = tsdb::MatchType::kNotEqual; break;
      case prometheus::LabelMatcher::RE: type = tsdb::MatchType::kRegexMatch; break;
      case prometheus::LabelMatcher::NRE: type = tsdb::MatchType::kRegexNoMatch; break;
      default: return absl::InvalidArgumentError(absl::StrCat("invalid matcher type ", int(m.type())));
    }
    std::string value = m.value();
    // The external labels are not stored: `zone="eu"` with zone=eu external
    // must match the series, which lack the label.
    if (type == tsdb::MatchType::kEqual && !value.empty() && ext.get(m.name()) == value) value.clear();
    auto matcher = tsdb::Matcher::make(type, m.name(), std::move(value), regex);
    if (!matcher.ok()) return absl::InvalidArgumentError(matcher.status().message());
    out.push_back(std::move(*matcher));
  }
  return out;
}

// Calls f(series) for each series query `q` selects, in label order.
template <typename F>
absl::Status select_query(tsdb::Queryable& db, const prometheus::Query& q, const tsdb::Labels& ext,
                          tsdb::RegexOptions regex, const HttpRequest& req, F&& f) {
  auto ms = to_matchers(q, ext, regex);
  if (!ms.ok()) return ms.status();
  if (ms->empty()) return absl::OkStatus();  // selects nothing, as in Prometheus
  tsdb::require_non_empty(&*ms);
  auto querier = db.querier(q.start_timestamp_ms(), q.end_timestamp_ms());
  if (!querier.ok()) return querier.status();
  tsdb::SelectOptions so;
  so.sorted = true;
  if (q.has_hints()) {
    so.step_ms = q.hints().step_ms();
    so.range_ms = q.hints().range_ms();
    so.func = q.hints().func();
  }
  std::unique_ptr<tsdb::SeriesSet> set = (*querier)->select(so, *ms);
  while (set->next()) {
    if (req.cancelled && req.cancelled()) return absl::CancelledError("client went away");
    if (absl::Status s = f(set->at()); !s.ok()) return s;
  }
  return set->status();
}

// The first accepted type we serve; none listed means SAMPLES.
std::optional<ReadRequest::ResponseType> negotiate(const ReadRequest& req, std::string* err) {
  if (req.accepted_response_types().empty()) return ReadRequest::SAMPLES;
  std::string listed;
  for (int t : req.accepted_response_types()) {
    if (t == ReadRequest::SAMPLES || t == ReadRequest::STREAMED_XOR_CHUNKS)
      return ReadRequest::ResponseType(t);
    if (!listed.empty()) listed.push_back(' ');
    listed += ReadRequest::ResponseType_IsValid(t) ? ReadRequest::ResponseType_Name(ReadRequest::ResponseType(t))
                                                   : std::to_string(t);
  }
  *err = "server does not support any of the requested response types: [" + listed +
         "]; supported: map[SAMPLES:{} STREAMED_XOR_CHUNKS:{}]";
  return std::nullopt;
}

}  // namespace

ReadHandler::ReadHandler(tsdb::Queryable& db, metrics::Registry& registry, ReadHandlerOptions opts)
    : db_(db),
      opts_(std::move(opts)),
      in_flight_(registry.gauge("strata_api_remote_read_queries",
                                "The current number of remote read queries being executed or waiting.")),
      requests_(registry.counter_family("strata_remote_read_requests_total",
                                        "Remote-read requests by HTTP status code.", {"code"})) {}

bool ReadHandler::acquire(const HttpRequest& req) {
  in_flight_.add(1);
  if (opts_.concurrent_limit <= 0) return true;
  std::unique_lock<std::mutex> lock(mu_);
  while (running_ >= opts_.concurrent_limit) {
    if (req.cancelled && req.cancelled()) {
      in_flight_.add(-1);
      return false;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  ++running_;
  return true;
}

void ReadHandler::release() {
  in_flight_.add(-1);
  if (opts_.concurrent_limit <= 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
  }
  cv_.notify_one();
}

void ReadHandler::handle(const HttpRequest& req, HttpResponse& resp) {
  auto answer = [&] {
    auto rr = strata::remote::decode_read_request(req.body);
    if (!rr.ok()) return resp.set_text_error(status_for(rr.status()), std::string(rr.status().message()));
    std::string err;
    std::optional<ReadRequest::ResponseType> type = negotiate(*rr, &err);
    if (!type) return resp.set_text_error(400, err);
    std::shared_ptr<const tsdb::Labels> ext =
        opts_.external_labels ? opts_.external_labels() : nullptr;
    if (!ext) ext = std::make_shared<const tsdb::Labels>();

    int64_t samples = 0;
    auto count = [&] {
      return opts_.sample_limit > 0 && ++samples > opts_.sample_limit
                 ? absl::InvalidArgumentError(absl::StrCat("exceeded sample limit (", opts_.sample_limit, ")"))
                 : absl::OkStatus();
    };
    absl::Status st;
    if (*type == ReadRequest::SAMPLES) {
      prometheus::ReadResponse out;
      for (const prometheus::Query& q : rr->queries()) {
        prometheus::QueryResult* result = out.add_results();
        st = select_query(db_, q, *ext, opts_.regex, req, [&](tsdb::Series& s) -> absl::Status {
          tsdb::SampleIterator it = s.iterator();
          prometheus::TimeSeries* ts = nullptr;
          while (it.next()) {
            if (absl::Status c = count(); !c.ok()) return c;
            if (!ts) {
              ts = result->add_timeseries();
              set_labels(with_external(s.labels(), *ext), [ts] { return ts->add_labels(); });
            }
            prometheus::Sample* ps = ts->add_samples();
            ps->set_timestamp(it.t());
            ps->set_value(it.v());
          }
          return it.status();
        });
        if (!st.ok()) break;
      }
      if (st.ok()) {
        resp.status = 200;
        resp.content_type = "application/x-protobuf";
        resp.set_header("Content-Encoding", "snappy");
        resp.body = strata::remote::encode_read_response(out);
        return;
      }
    } else {
      std::string body;
      for (int i = 0; st.ok() && i < rr->queries_size(); ++i) {
        st = select_query(db_, rr->queries(i), *ext, opts_.regex, req, [&](tsdb::Series& s) -> absl::Status {
          prometheus::ChunkedReadResponse frame;
          frame.set_query_index(i);
          prometheus::ChunkedSeries* cs = frame.add_chunked_series();
          set_labels(with_external(s.labels(), *ext), [cs] { return cs->add_labels(); });
          int64_t max_data = int64_t(opts_.max_bytes_in_frame);
          for (const prometheus::Label& l : cs->labels()) max_data -= int64_t(l.ByteSizeLong());
          int64_t left = max_data;
          std::optional<tsdb::XorAppender> app;
          int64_t mint = 0, maxt = 0;
          // Closes the chunk being written; ships the frame once it is full
          // or the series ends (a frame may overshoot by one chunk).
          auto cut = [&](bool last) {
            if (app) {
              prometheus::Chunk* c = cs->add_chunks();
              c->set_min_time_ms(mint);
              c->set_max_time_ms(maxt);
              c->set_type(prometheus::Chunk::XOR);
              c->set_data(app->release());
              app.reset();
              left -= int64_t(c->ByteSizeLong());
            }
            if ((left <= 0 || last) && cs->chunks_size() > 0) {
              strata::remote::append_chunked_frame(frame, &body);
              cs->clear_chunks();
              left = max_data;
            }
          };
          tsdb::SampleIterator it = s.iterator();
          while (it.next()) {
            if (absl::Status c = count(); !c.ok()) return c;
            if (app && app->num_samples() >= kSamplesPerChunk) cut(false);
            if (!app) {
              app.emplace();
              mint = it.t();
            }
            app->append(it.t(), it.v());
            maxt = it.t();
          }
          if (!it.status().ok()) return it.status();
          cut(true);
          return absl::OkStatus();
        });
      }
      if (st.ok()) {
        resp.status = 200;
        resp.content_type = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
        resp.body = std::move(body);
        return;
      }
    }
    resp.set_text_error(status_for(st), std::string(st.message()));
  };
  if (!acquire(req)) {
    resp.set_text_error(503, "client went away");
  } else {
    answer();
    release();
  }
  requests_.with({absl::StrCat(resp.status)}).inc();
}

}  // namespace strata::api::remote

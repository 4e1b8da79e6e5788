#include "tests/integration/difftest/runner.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/difftest/compare.h"
#include "tests/integration/difftest/corpus.h"
#include "tests/integration/difftest/dataset.h"
#include "tests/integration/difftest/generated.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/server_process.h"
#include "tests/testutil/strata.h"
#include "tests/testutil/temp_dir.h"

#ifndef DIFFTEST_DEFAULT_CORPUS_DIR
#define DIFFTEST_DEFAULT_CORPUS_DIR "tests/promql/corpus"
#endif
#ifndef DIFFTEST_DEFAULT_KNOWN_DIFFERENCES
#define DIFFTEST_DEFAULT_KNOWN_DIFFERENCES "tests/integration/difftest/known_differences.txt"
#endif
#ifndef DIFFTEST_DEFAULT_GENERATED_KNOWN_DIFFERENCES
#define DIFFTEST_DEFAULT_GENERATED_KNOWN_DIFFERENCES "tests/integration/difftest/known_differences_generated.txt"
#endif

namespace strata::difftest {
namespace {

using testutil::form_encode;
using testutil::make_temp_dir;
using testutil::remove_tree;
using testutil::url_encode;
using Params = std::vector<std::pair<std::string, std::string>>;

// The difftest's view of testutil::HttpClient: transport failures become an
// HttpResult with status 0, which the comparison reports as "no answer".
class HttpClient {
 public:
  HttpClient(int port, int timeout_s) : c_("127.0.0.1", port, std::chrono::seconds(timeout_s)) {}
  HttpResult get(const std::string& target) { return result(c_.get(target)); }
  HttpResult post_form(const std::string& path, const Params& params) {
    return result(c_.post(path, form_encode(params), "application/x-www-form-urlencoded"));
  }
  HttpResult post(const std::string& path, const std::string& body, const Params& headers) {
    return result(c_.request("POST", path, body, headers));
  }

 private:
  static HttpResult result(const absl::StatusOr<testutil::HttpResponse>& r) {
    HttpResult out;
    if (!r.ok()) {
      out.transport_error = std::string(r.status().message());
      return out;
    }
    out.status = r->status;
    out.body = r->body;
    return out;
  }
  testutil::HttpClient c_;
};

// A named server (Prometheus or Strata) run by testutil::ServerProcess; its
// data directory is under the run's temporary directory, and its log is
// copied there when it stops (kept with DIFFTEST_KEEP_TMP=1).
class Server {
 public:
  Server(std::string name, std::string binary, std::vector<std::string> flags, std::string tmp)
      : name_(std::move(name)), tmp_(std::move(tmp)) {
    opts_.binary = std::move(binary);
    opts_.flags = std::move(flags);
    opts_.flags.push_back("--storage.tsdb.path=" + tmp_ + "/" + name_ + "-data");
    opts_.ready_timeout = std::chrono::seconds(90);
  }
  void add_arg(std::string a) { opts_.flags.push_back(std::move(a)); }
  bool start(std::string* error) {
    auto p = testutil::ServerProcess::start(opts_);
    if (!p.ok()) {
      *error = name_ + ": " + std::string(p.status().message());
      return false;
    }
    proc_ = std::move(*p);
    return true;
  }
  const std::string& name() const { return name_; }
  int port() const { return proc_->port(); }
  bool running() { return proc_ && proc_->running(); }
  std::string log_tail(size_t bytes = 2000) const {
    std::string s = proc_ ? proc_->log() : "";
    return s.size() > bytes ? s.substr(s.size() - bytes) : s;
  }
  void stop() {
    if (!proc_) return;
    proc_->stop(std::chrono::seconds(15));
    std::ofstream(tmp_ + "/" + name_ + ".log") << proc_->log();
    proc_.reset();
  }

 private:
  std::string name_, tmp_;
  testutil::ServerProcess::Options opts_;
  std::unique_ptr<testutil::ServerProcess> proc_;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// Seconds with millisecond precision, shortest form ("1700000000", "1700000000.5").
std::string seconds_param(int64_t ms) {
  std::string s = std::to_string(ms / 1000);
  if (int64_t frac = ms % 1000) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03d", int(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}

std::vector<EvalCase> eval_cases(const Dataset& d) {
  const int64_t E = d.end_ms, S = d.start_ms, m = 60'000;
  return {
      // The last grid point: aligned series have a sample exactly here.
      {"instant end", false, E},
      // Between two scrapes, while bots-1 is down and mcp-server-1 just started.
      {"instant end-64m52.5s", false, E - 64 * m - 52'500},
      // During the incident (error rates x6): alerts fire.
      {"instant end-57m30s", false, E - 57 * m - 30'000},
      // Near the start: windows reach before the first sample.
      {"instant start+4m", false, S + 4 * m},
      // Exactly one lookback delta after the last sample (closed in 2.x).
      {"instant end+5m", false, E + 5 * m},
      // A Grafana-like 2 h graph at 60 s, running past the end of the data.
      {"range end-2h..end+6m step 60s", true, 0, E - 120 * m, E + 6 * m, 60'000},
      // 25 min at the scrape interval, not aligned with the scrapes.
      {"range end-74m53s..+25m step 15s", true, 0, E - 75 * m + 7'000, E - 50 * m + 7'000, 15'000},
  };
}

struct CaseResult {
  std::string name;
  std::vector<Diff> diffs;
  std::string ref_error;  // errorType: error of the reference, if it failed
  size_t ref_samples = 0; // samples in the reference's answer (scalars count 1)
};

struct QueryOutcome {
  bool skipped = false;
  std::string skip_reason;
  std::vector<CaseResult> cases;
  bool failed() const {
    for (const CaseResult& c : cases)
      if (!c.diffs.empty()) return true;
    return false;
  }
};

std::string reference_error(const HttpResult& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("status", "") != "error") return "";
  return j.value("errorType", "") + ": " + j.value("error", "");
}

size_t count_samples(const HttpResult& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("data") || !j["data"].is_object()) return 0;
  const auto& d = j["data"];
  const std::string type = d.value("resultType", "");
  if (type == "scalar" || type == "string") return 1;
  size_t n = 0;
  for (const auto& s : d.value("result", nlohmann::json::array())) {
    if (s.contains("values")) n += s["values"].size();
    if (s.contains("histograms")) n += s["histograms"].size();
    if (s.contains("value") || s.contains("histogram")) ++n;
  }
  return n;
}

std::string truncate(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n) + "...(truncated)"; }

class Runner {
 public:
  explicit Runner(const Settings& s) : s_(s) {}
  RunSummary run();

 private:
  bool load_queries(std::string* error);
  bool start_servers(std::string* error);
  bool load_data(std::string* error);
  QueryOutcome run_query(size_t index, HttpClient* ref, HttpClient* cand);
  void report(RunSummary* sum);

  const Settings& s_;
  std::string ref_name_ = "prometheus", cand_name_;
  std::vector<CorpusQuery> queries_;
  std::set<std::string> known_;
  std::vector<std::string> known_substrings_;  // generated mode
  std::vector<std::vector<EvalCase>> gen_cases_;  // generated mode: per query
  Dataset data_;
  std::vector<EvalCase> cases_;
  std::string tmp_;
  std::unique_ptr<Server> ref_, cand_;
  std::vector<QueryOutcome> outcomes_;
  std::vector<std::string> notes_;  // ingest problems of the candidate etc.
};

bool Runner::load_queries(std::string* error) {
  if (s_.generated) {
    if (!s_.only_query.empty()) return true;
    return load_known_substrings(s_.gen_known_differences, &known_substrings_, error);
  }
  if (!s_.only_query.empty()) {
    queries_.push_back({"DIFFTEST_QUERY", 0, s_.only_query});
    return true;
  }
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(s_.corpus_dir, ec))
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  if (ec || files.empty()) {
    *error = "no corpus files (*.txt) in " + s_.corpus_dir;
    return false;
  }
  std::sort(files.rbegin(), files.rend());  // seeds.txt first, then general.txt
  for (const std::string& f : files)
    if (!load_corpus_file(f, &queries_, error)) return false;
  std::vector<CorpusQuery> known;
  if (!load_corpus_file(s_.known_differences, &known, error)) return false;
  for (const CorpusQuery& k : known) known_.insert(k.text);
  if (!s_.filter.empty()) {
    std::erase_if(queries_, [&](const CorpusQuery& q) { return q.text.find(s_.filter) == std::string::npos; });
  }
  return true;
}

bool Runner::start_servers(std::string* error) {
  tmp_ = make_temp_dir("strata-difftest-");
  if (tmp_.empty()) {
    *error = "cannot create a temporary directory";
    return false;
  }
  const std::string config = tmp_ + "/prometheus.yml";
  std::ofstream(config) << "# difftest: no scrape targets; all data arrives by remote write.\n"
                           "global:\n  scrape_interval: 15s\n";
  auto prometheus = [&](const std::string& name) {
    return std::make_unique<Server>(name, s_.prometheus_binary,
                                    std::vector<std::string>{"--config.file=" + config,
                                                             "--web.enable-remote-write-receiver"},
                                    tmp_);
  };
  ref_ = prometheus("prometheus");
  if (s_.candidate_is_prometheus) {
    cand_name_ = "prometheus-2";
    cand_ = prometheus(cand_name_);
    for (const std::string& a : s_.candidate_args) cand_->add_arg(a);
  } else {
    cand_name_ = "strata";
    std::vector<std::string> flags = {"--config.file=" + config, "--web.enable-remote-write-receiver",
                                      "--query.compat=v2"};
    // Generated queries may use what Strata's v2 dialect offers behind this flag;
    // the generator keeps to what 2.42 knows, so answers stay comparable.
    if (s_.generated) flags.push_back("--enable-feature=promql-experimental-functions");
    flags.insert(flags.end(), s_.candidate_args.begin(), s_.candidate_args.end());
    cand_ = std::make_unique<Server>("strata", s_.strata_binary, flags, tmp_);
  }
  for (Server* p : {ref_.get(), cand_.get()})
    if (!p->start(error)) return false;
  return true;
}

bool Runner::load_data(std::string* error) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // The last grid point: two minutes before now, on a whole minute.
  const int64_t end_ms = now_ms / 60'000 * 60'000 - 120'000;
  if (s_.generated) {
    data_ = generated_dataset(end_ms);
    std::vector<EvalCase> one_each;
    if (s_.only_query.empty()) {
      generate_queries(data_, s_.gen_seed, s_.gen_first, s_.gen_count, &queries_, &one_each);
      for (EvalCase& c : one_each) gen_cases_.push_back({std::move(c)});
    } else {
      // A hand-written query over the fuzz dataset (minimising a generated one).
      queries_ = {{"DIFFTEST_QUERY", 0, s_.only_query}};
      const int64_t S = data_.start_ms, E = data_.end_ms;
      gen_cases_.push_back({{"instant end", false, E},
                            {"instant mid", false, S + (E - S) / 2},
                            {"range data step 60s", true, 0, S, E, 60'000},
                            {"range data+10m step 15s", true, 0, S - 600'000, E + 600'000, 15'000}});
    }
    std::printf("difftest: generated mode, seed %llu, queries %lld..%lld\n", (unsigned long long)s_.gen_seed,
                (long long)s_.gen_first, (long long)(s_.gen_first + s_.gen_count - 1));
  } else {
    data_ = build_dataset(end_ms);
    cases_ = eval_cases(data_);
  }
  const std::vector<std::string> bodies = encode_in_windows(data_, 20);
  std::printf("difftest: dataset %zu series, %zu samples, %s .. %s, %zu remote-write requests\n", data_.series.size(),
              data_.sample_count(), seconds_param(data_.start_ms).c_str(), seconds_param(data_.end_ms).c_str(),
              bodies.size());
  std::vector<std::string> errors[2];
  auto send = [&bodies](Server* p, std::vector<std::string>* errs) {
    HttpClient client(p->port(), 120);
    for (size_t i = 0; i < bodies.size(); ++i) {
      HttpResult r = client.post("/api/v1/write", bodies[i],
                                 {{"Content-Type", "application/x-protobuf"},
                                  {"Content-Encoding", "snappy"},
                                  {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
      if (r.status < 200 || r.status >= 300)
        errs->push_back("request " + std::to_string(i) + ": HTTP " + std::to_string(r.status) + " " +
                        truncate(r.transport_error + r.body, 300));
    }
  };
  std::thread t1(send, ref_.get(), &errors[0]);
  std::thread t2(send, cand_.get(), &errors[1]);
  t1.join();
  t2.join();
  if (!errors[0].empty()) {
    *error = ref_name_ + " rejected remote write: " + errors[0].front();
    return false;
  }
  for (size_t i = 0; i < errors[1].size() && i < 5; ++i)
    notes_.push_back(cand_name_ + " rejected remote write " + errors[1][i]);
  if (errors[1].size() > 5)
    notes_.push_back(cand_name_ + " rejected " + std::to_string(errors[1].size()) + " of " +
                     std::to_string(bodies.size()) + " remote-write requests in all");
  // Every series must be there (the series API spans the whole dataset).
  const std::string target = "/api/v1/series?match[]=" + url_encode("{__name__=~\".+\"}") +
                             "&start=" + seconds_param(data_.start_ms - 60'000) +
                             "&end=" + seconds_param(data_.end_ms + 60'000);
  for (Server* p : {ref_.get(), cand_.get()}) {
    HttpClient client(p->port(), 120);
    HttpResult r = client.get(target);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    const size_t n = !j.is_discarded() && j.is_object() && j.contains("data") && j["data"].is_array() ? j["data"].size() : 0;
    if (n == data_.series.size()) continue;
    std::string msg = p->name() + " has " + std::to_string(n) + " series after loading, expected " +
                      std::to_string(data_.series.size()) + " (/api/v1/series: HTTP " + std::to_string(r.status) + " " +
                      truncate(r.transport_error + r.body, 200) + ")";
    if (p == ref_.get()) {
      *error = msg;
      return false;
    }
    notes_.push_back(msg);
  }
  return true;
}

QueryOutcome Runner::run_query(size_t index, HttpClient* ref, HttpClient* cand) {
  const CorpusQuery& q = queries_[index];
  QueryOutcome out;
  if (known_.count(q.text)) {
    out.skipped = true;
    out.skip_reason = "known_differences.txt";
    return out;
  }
  for (const std::string& k : known_substrings_) {
    if (q.text.find(k) == std::string::npos) continue;
    out.skipped = true;
    out.skip_reason = "known_differences_generated.txt: " + k;
    return out;
  }
  const std::vector<EvalCase>& cases = s_.generated ? gen_cases_[index] : cases_;
  const std::string text = substitute_placeholders(q.text, data_.start_ms, data_.end_ms);
  CompareOptions opts;
  opts.ref_name = ref_name_;
  opts.cand_name = cand_name_;
  opts.origin_ms = data_.end_ms;
  const bool verbose = !s_.only_query.empty() || (s_.generated && queries_.size() == 1);
  for (const EvalCase& c : cases) {
    Params params = {{"query", text}};
    std::string path = "/api/v1/query";
    if (c.range) {
      path = "/api/v1/query_range";
      params.push_back({"start", seconds_param(c.start_ms)});
      params.push_back({"end", seconds_param(c.end_ms)});
      params.push_back({"step", seconds_param(c.step_ms)});
    } else {
      params.push_back({"time", seconds_param(c.t_ms)});
    }
    const HttpResult r = ref->post_form(path, params);
    const HttpResult k = cand->post_form(path, params);
    const std::string outer = outermost_call(text);
    opts.ordered = !c.range && (outer == "sort" || outer == "sort_desc");
    opts.tie_kind = outer == "topk" || outer == "bottomk" ? outer : "";
    outermost_grouping(text, &opts.tie_grouping, &opts.tie_grouping_without);
    CaseResult cr{c.name, compare_query_responses(r, k, opts), reference_error(r), count_samples(r)};
    if (verbose) {
      std::printf("=== %s  POST %s %s\n--- %s (HTTP %d):\n%s\n--- %s (HTTP %d):\n%s\n", c.name.c_str(), path.c_str(),
                  form_encode(params).c_str(), ref_name_.c_str(), r.status, truncate(r.body + r.transport_error, 6000).c_str(),
                  cand_name_.c_str(), k.status, truncate(k.body + k.transport_error, 6000).c_str());
    }
    out.cases.push_back(std::move(cr));
  }
  // Grafana variable query: also compare the label-values call Grafana makes.
  std::string selector, label;
  if (parse_label_values_query(text, &selector, &label)) {
    const std::string target = "/api/v1/label/" + label + "/values?match[]=" + url_encode(selector) +
                               "&start=" + std::to_string(data_.start_ms / 1000) +
                               "&end=" + std::to_string(data_.end_ms / 1000 + 1);
    const HttpResult r = ref->get(target);
    const HttpResult k = cand->get(target);
    out.cases.push_back({"GET " + target, compare_plain_responses(r, k, opts), reference_error(r)});
    if (verbose)
      std::printf("=== GET %s\n--- %s: %s\n--- %s: %s\n", target.c_str(), ref_name_.c_str(),
                  truncate(r.body, 3000).c_str(), cand_name_.c_str(), truncate(k.body, 3000).c_str());
  }
  return out;
}

void Runner::report(RunSummary* sum) {
  std::ofstream rep(s_.report_path);
  rep << "difftest report: " << ref_name_ << " (reference) vs " << cand_name_ << "\n";
  rep << "dataset: " << data_.series.size() << " series, " << data_.sample_count() << " samples, "
      << seconds_param(data_.start_ms) << " .. " << seconds_param(data_.end_ms) << "\n";
  for (const std::string& n : notes_) {
    std::printf("NOTE %s\n", n.c_str());
    rep << "NOTE " << n << "\n";
  }
  for (size_t i = 0; i < queries_.size(); ++i) {
    const CorpusQuery& q = queries_[i];
    const QueryOutcome& o = outcomes_[i];
    ++sum->total;
    if (o.skipped) {
      ++sum->skipped;
      rep << "SKIP " << q.where() << ": " << q.text << "  (" << o.skip_reason << ")\n";
      continue;
    }
    std::string ref_error;
    size_t ref_samples = 0;
    for (const CaseResult& c : o.cases) {
      if (!c.ref_error.empty()) ref_error = c.ref_error;
      ref_samples += c.ref_samples;
      if (c.ref_error.rfind("bad_data", 0) == 0) ++sum->ref_refused;
      else if (!c.ref_error.empty()) ++sum->ref_runtime_errors;
      else if (c.ref_samples > 0) ++sum->ref_with_data;
    }
    // Tell corpus maintainers which queries exercise little.
    const std::string note = !ref_error.empty() ? "  [" + ref_name_ + " fails: " + ref_error + "]"
                             : ref_samples == 0 ? "  [empty result]"
                                                : "  [" + std::to_string(ref_samples) + " samples]";
    if (!o.failed()) {
      ++sum->passed;
      rep << "PASS " << q.where() << ": " << q.text << note << "\n";
      continue;
    }
    ++sum->failed;
    std::set<std::string> kinds;
    int failing_cases = 0, diff_count = 0;
    const Diff* first = nullptr;
    const CaseResult* first_case = nullptr;
    for (const CaseResult& c : o.cases) {
      if (c.diffs.empty()) continue;
      ++failing_cases;
      for (const Diff& d : c.diffs) {
        kinds.insert(d.kind);
        ++diff_count;
        if (!first) first = &d, first_case = &c;
      }
    }
    for (const std::string& k : kinds) ++sum->failure_kinds[k];
    char tail[64];
    std::snprintf(tail, sizeof tail, " (%d of %zu cases fail)", failing_cases, o.cases.size());
    // One line per failing query: where, the query, its first difference.
    const std::string line = "FAIL " + q.where() + ": " + q.text + "  ==>  " + first_case->name + ": " + first->kind +
                             ": " + truncate(first->detail, 240) + tail;
    std::printf("%s\n", line.c_str());
    rep << "FAIL " << q.where() << ": " << q.text << note << "\n";
    for (const CaseResult& c : o.cases) {
      for (const Diff& d : c.diffs) {
        rep << "    " << c.name << ": " << d.kind << ": " << d.detail << "\n";
        if (s_.verbose) std::printf("    %s: %s: %s\n", c.name.c_str(), d.kind.c_str(), d.detail.c_str());
      }
    }
  }
  std::string kinds;
  for (const auto& [k, n] : sum->failure_kinds) kinds += (kinds.empty() ? "" : ", ") + k + " " + std::to_string(n);
  std::printf("difftest: %d passed, %d failed of %d (%s vs %s%s)\n", sum->passed, sum->failed, sum->passed + sum->failed,
              cand_name_.c_str(), ref_name_.c_str(),
              sum->skipped ? (", " + std::to_string(sum->skipped) + " skipped as known differences or for time").c_str() : "");
  if (!kinds.empty()) std::printf("difftest: failing queries by kind of difference: %s\n", kinds.c_str());
  std::printf("difftest: %s answered %d evaluations with data, refused %d (bad_data), failed %d at run time\n",
              ref_name_.c_str(), sum->ref_with_data, sum->ref_refused, sum->ref_runtime_errors);
  std::printf("difftest: full report in %s\n", s_.report_path.c_str());
  rep << "difftest: " << sum->passed << " passed, " << sum->failed << " failed of " << sum->passed + sum->failed
      << ", " << sum->skipped << " skipped\n";
  if (!kinds.empty()) rep << "failing queries by kind of difference: " << kinds << "\n";
}

RunSummary Runner::run() {
  RunSummary sum;
  // Output piped into `head` must not kill the run before it stops the
  // servers and removes its temporary directory.
  std::signal(SIGPIPE, SIG_IGN);
  std::string error;
  if (!load_queries(&error) || !start_servers(&error) || !load_data(&error)) {
    sum.setup_error = error;
    if (ref_) ref_->stop();
    if (cand_) cand_->stop();
    if (!s_.keep_tmp) remove_tree(tmp_);
    return sum;
  }
  sum.setup_ok = true;
  const auto t0 = std::chrono::steady_clock::now();
  outcomes_.resize(queries_.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    HttpClient ref(ref_->port(), 120);
    HttpClient cand(cand_->port(), 120);
    for (size_t i; (i = next++) < queries_.size();) {
      if (s_.gen_duration_s > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > s_.gen_duration_s) {
        outcomes_[i].skipped = true;
        outcomes_[i].skip_reason = "not run: DIFFTEST_DURATION reached";
        continue;
      }
      outcomes_[i] = run_query(i, &ref, &cand);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, s_.jobs); ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("difftest: %zu queries x %zu evaluations on both servers in %.1f s\n", queries_.size(),
              s_.generated ? size_t(1) : cases_.size(), secs);
  // Dead servers make every comparison fail; say so plainly.
  for (Server* p : {ref_.get(), cand_.get()})
    if (!p->running()) notes_.push_back(p->name() + " died during the run; log tail:\n" + p->log_tail());
  report(&sum);
  ref_->stop();
  cand_->stop();
  if (s_.keep_tmp) std::printf("difftest: data and logs kept in %s\n", tmp_.c_str());
  else remove_tree(tmp_);
  return sum;
}

}  // namespace

Settings settings_from_env() {
  Settings s;
  s.prometheus_binary = env_or("DIFFTEST_PROMETHEUS", "/usr/bin/prometheus");
  s.strata_binary = testutil::strata_binary();
  std::istringstream args(env_or("DIFFTEST_CANDIDATE_ARGS", ""));
  for (std::string a; args >> a;) s.candidate_args.push_back(a);
  s.candidate_is_prometheus = env_or("DIFFTEST_CANDIDATE", "strata") == "prometheus";
  s.corpus_dir = env_or("DIFFTEST_CORPUS_DIR", DIFFTEST_DEFAULT_CORPUS_DIR);
  s.known_differences = env_or("DIFFTEST_KNOWN_DIFFERENCES", DIFFTEST_DEFAULT_KNOWN_DIFFERENCES);
  s.only_query = env_or("DIFFTEST_QUERY", "");
  s.filter = env_or("DIFFTEST_FILTER", "");
  s.verbose = env_or("DIFFTEST_VERBOSE", "0") != "0";
  s.jobs = std::atoi(env_or("DIFFTEST_JOBS", "3").c_str());
  s.report_path = env_or("DIFFTEST_REPORT", "difftest_report.txt");
  s.keep_tmp = env_or("DIFFTEST_KEEP_TMP", "0") != "0";
  s.generated = env_or("DIFFTEST_GENERATED", "0") != "0";
  const std::string seed = env_or("DIFFTEST_SEED", "1");
  s.gen_seed = seed == "random" ? uint64_t(std::chrono::system_clock::now().time_since_epoch().count())
                                : std::strtoull(seed.c_str(), nullptr, 10);
  s.gen_first = std::atoll(env_or("DIFFTEST_FIRST", "0").c_str());
  s.gen_count = std::atoll(env_or("DIFFTEST_COUNT", "2000").c_str());
  s.gen_duration_s = std::atof(env_or("DIFFTEST_DURATION", "0").c_str());
  s.gen_known_differences = env_or("DIFFTEST_GENERATED_KNOWN_DIFFERENCES", DIFFTEST_DEFAULT_GENERATED_KNOWN_DIFFERENCES);
  return s;
}

RunSummary run_difftest(const Settings& settings) { return Runner(settings).run(); }

}  // namespace strata::difftest

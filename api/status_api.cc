// /api/v1/status/{buildinfo,runtimeinfo,flags,config,tsdb}.
#include <algorithm>
#include <fstream>
#include <map>
#include <thread>

#include "api/handlers.h"
#include "tsdb/head/head.h"

namespace strata::api {
namespace {

ApiResult object_of(std::vector<std::pair<std::string, std::string>> kv) {
  ApiResult r;
  auto shared = std::make_shared<decltype(kv)>(std::move(kv));
  r.data = [shared](JsonWriter& w) {
    w.begin_object();
    for (const auto& [k, v] : *shared) {
      w.key(k);
      w.string(v);
    }
    w.end_object();
  };
  return r;
}

int thread_count() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return 0;
}

struct Stat {
  std::string name;
  uint64_t value;
};

// The `limit` largest entries, largest first (ties by name).
std::vector<Stat> top(std::map<std::string, uint64_t>& m, size_t limit) {
  std::vector<Stat> v;
  v.reserve(m.size());
  for (auto& [k, c] : m) v.push_back({k, c});
  std::sort(v.begin(), v.end(), [](const Stat& a, const Stat& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  });
  if (v.size() > limit) v.resize(limit);
  return v;
}

void write_stats(JsonWriter& w, const char* key, const std::vector<Stat>& stats) {
  w.key(key);
  w.begin_array();
  for (const Stat& s : stats) {
    w.begin_object();
    w.key("name");
    w.string(s.name);
    w.key("value");
    w.integer(int64_t(s.value));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

ApiResult handle_buildinfo(ApiContext& ctx) {
  const StatusInfo& s = ctx.status;
  return object_of({{"version", s.version},
                    {"revision", s.revision},
                    {"branch", s.branch},
                    {"buildUser", s.build_user},
                    {"buildDate", s.build_date},
                    {"goVersion", s.compiler}});
}

ApiResult handle_runtimeinfo(ApiContext& ctx) {
  const StatusInfo& s = ctx.status;
  bool reload_ok = s.reload_config_success ? s.reload_config_success() : true;
  double last_config = s.last_config_time_s ? s.last_config_time_s() : s.start_time_s;
  uint64_t series = ctx.db->head_stats().num_series;
  ApiResult r;
  r.data = [=, &s](JsonWriter& w) {
    w.begin_object();
    w.key("startTime");
    w.string(format_rfc3339(int64_t(s.start_time_s * 1000)));
    w.key("CWD");
    w.string(s.cwd);
    w.key("reloadConfigSuccess");
    w.boolean(reload_ok);
    w.key("lastConfigTime");
    w.string(format_rfc3339(int64_t(last_config * 1000)));
    w.key("corruptionCount");
    w.integer(0);
    w.key("goroutineCount");
    w.integer(thread_count());
    w.key("GOMAXPROCS");
    w.integer(int64_t(std::thread::hardware_concurrency()));
    w.key("GOMEMLIMIT");
    w.integer(INT64_MAX);
    w.key("GOGC");
    w.string("");
    w.key("GODEBUG");
    w.string("");
    w.key("storageRetention");
    w.string(s.storage_retention);
    w.key("timeSeriesCount");
    w.integer(int64_t(series));
    w.end_object();
  };
  return r;
}

ApiResult handle_flags(ApiContext& ctx) {
  std::vector<std::pair<std::string, std::string>> kv(ctx.status.flags.begin(),
                                                      ctx.status.flags.end());
  return object_of(std::move(kv));
}

ApiResult handle_config(ApiContext& ctx) {
  std::string yaml = ctx.status.config_yaml ? ctx.status.config_yaml() : "";
  return object_of({{"yaml", yaml}});
}

ApiResult handle_tsdb_status(ApiContext& ctx, const Form& form) {
  size_t limit = 10;
  if (std::string s = form.value("limit"); !s.empty()) {
    long long v = 0;
    try {
      v = std::stoll(s);
    } catch (...) {
      return bad_data("limit must be a positive number");
    }
    if (v <= 0 || v > 10000) return bad_data("limit must be a positive number not above 10000");
    limit = size_t(v);
  }
  tsdb::Head& head = ctx.db->head();
  tsdb::SymbolTable& syms = head.symbols();
  std::map<std::string, uint64_t> by_metric, values_by_name, bytes_by_name, by_pair;
  uint64_t pairs = 0;
  head.postings().for_each([&](uint32_t n, uint32_t v, size_t count) {
    std::string_view name = syms.get(n), value = syms.get(v);
    ++pairs;
    if (name == tsdb::kMetricName) by_metric[std::string(value)] = count;
    values_by_name[std::string(name)] += 1;
    bytes_by_name[std::string(name)] += value.size() * count;
    by_pair[std::string(name) + "=" + std::string(value)] = count;
  });
  tsdb::HeadStats hs = head.stats();
  auto metric = top(by_metric, limit), values = top(values_by_name, limit),
       bytes = top(bytes_by_name, limit), pair = top(by_pair, limit);
  ApiResult r;
  r.data = [=](JsonWriter& w) {
    w.begin_object();
    w.key("headStats");
    w.begin_object();
    w.key("numSeries");
    w.integer(int64_t(hs.num_series));
    w.key("numLabelPairs");
    w.integer(int64_t(pairs));
    w.key("chunkCount");
    w.integer(int64_t(hs.num_chunks));
    w.key("minTime");
    w.integer(hs.num_series ? hs.min_time_ms : 0);
    w.key("maxTime");
    w.integer(hs.num_series ? hs.max_time_ms : 0);
    w.end_object();
    write_stats(w, "seriesCountByMetricName", metric);
    write_stats(w, "labelValueCountByLabelName", values);
    write_stats(w, "memoryInBytesByLabelName", bytes);
    write_stats(w, "seriesCountByLabelValuePair", pair);
    w.end_object();
  };
  return r;
}

}  // namespace strata::api

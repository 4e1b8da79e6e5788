// /api/v1/status/{buildinfo,runtimeinfo,flags,config,tsdb}.
#include <algorithm>
#include <fstream>
#include <thread>

#include "api/handlers.h"

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

void write_stats(JsonWriter& w, const char* key,
                 const std::vector<tsdb::CardinalityStats::Entry>& stats) {
  w.key(key);
  w.begin_array();
  for (const auto& s : stats) {
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
  uint64_t series = ctx.stats->head_stats().num_series;
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
  auto st = std::make_shared<tsdb::CardinalityStats>(ctx.stats->cardinality_stats(limit));
  ApiResult r;
  r.data = [st](JsonWriter& w) {
    const tsdb::HeadStats& hs = st->head;
    w.begin_object();
    w.key("headStats");
    w.begin_object();
    w.key("numSeries");
    w.integer(int64_t(hs.num_series));
    w.key("numLabelPairs");
    w.integer(int64_t(st->num_label_pairs));
    w.key("chunkCount");
    w.integer(int64_t(hs.num_chunks));
    w.key("minTime");
    w.integer(hs.num_series ? hs.min_time_ms : 0);
    w.key("maxTime");
    w.integer(hs.num_series ? hs.max_time_ms : 0);
    w.end_object();
    write_stats(w, "seriesCountByMetricName", st->series_by_metric_name);
    write_stats(w, "labelValueCountByLabelName", st->label_value_count_by_label_name);
    write_stats(w, "memoryInBytesByLabelName", st->memory_in_bytes_by_label_name);
    write_stats(w, "seriesCountByLabelValuePair", st->series_by_label_value_pair);
    w.end_object();
  };
  return r;
}

}  // namespace strata::api

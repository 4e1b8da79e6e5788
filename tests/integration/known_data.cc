#include "tests/integration/known_data.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace strata::integration {

using testutil::RwMetadata;
using testutil::RwMetricType;
using testutil::RwSample;
using testutil::RwSeries;

int64_t default_t0_ms() {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return now / 60'000 * 60'000 - 10 * 60'000;
}

std::vector<RwSeries> known_series(int64_t t0) {
  std::vector<RwSeries> out;
  RwSeries ok{
      {{"__name__", "e2e_requests_total"}, {"code", "200"}, {"instance", "a:9100"}, {"job", "api"}},
      {}};
  RwSeries err{
      {{"__name__", "e2e_requests_total"}, {"code", "500"}, {"instance", "a:9100"}, {"job", "api"}},
      {}};
  for (int i = 0; i <= 20; ++i) {
    ok.samples.push_back({t0 + 15'000 * i, 10.0 * i});
    err.samples.push_back({t0 + 15'000 * i, double(i)});
  }
  out.push_back(ok);
  out.push_back(err);

  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> temps = {20.5,
                                     21,
                                     21.25,
                                     -3.5,
                                     0.1,
                                     1e-7,
                                     1e21,
                                     123456789.125,
                                     testutil::normal_nan(),
                                     inf,
                                     -inf,
                                     9223372036854775807.0};
  RwSeries temp{{{"__name__", "e2e_temperature_celsius"}, {"job", "sensor"}, {"room", "kitchen"}},
                {}};
  for (size_t i = 0; i < temps.size(); ++i)
    temp.samples.push_back({t0 + 30'000 * int64_t(i), temps[i]});
  out.push_back(temp);

  out.push_back(
      {{{"__name__", "e2e_gone"}, {"job", "api"}},
       {{t0, 1}, {t0 + 15'000, 2}, {t0 + 30'000, 3}, {t0 + 45'000, testutil::stale_nan()}}});
  out.push_back(
      {{{"__name__", "e2e_ms"}, {"job", "ms"}}, {{t0 + 50, 1}, {t0 + 1500, 2}, {t0 + 2001, 3}}});
  out.push_back({{{"__name__", "e2e_escape"},
                  {"job", "esc"},
                  {"path", "a\"b\\c\nd<&>"},
                  {"unicode", "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80"}},
                 {{t0, 1}}});
  return out;
}

std::vector<RwMetadata> known_metadata() {
  return {{RwMetricType::kCounter, "e2e_requests_total", "Requests served.", ""},
          {RwMetricType::kGauge, "e2e_temperature_celsius", "Kitchen temperature.", "celsius"}};
}

size_t known_sample_count(int64_t t0_ms) {
  size_t n = 0;
  for (const RwSeries& s : known_series(t0_ms)) n += s.samples.size();
  return n;
}

std::string known_write_body(int64_t t0_ms) {
  return testutil::encode_write_request(known_series(t0_ms), known_metadata());
}

std::string json_ts(int64_t t_ms) {
  const int64_t s = t_ms / 1000, ms = t_ms % 1000;
  if (ms == 0) return std::to_string(s);
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03d", int(ms));
  return std::to_string(s) + buf;
}

std::string param_ts(int64_t t_ms) { return json_ts(t_ms); }

std::string rfc3339(int64_t t_ms) {
  std::time_t secs = std::time_t(t_ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (t_ms % 1000) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", int(t_ms % 1000));
    out += frac;
  }
  return out + "Z";
}

std::string pair(int64_t t_ms, const std::string& value) {
  std::string out = "[";
  out += json_ts(t_ms);
  out += ",\"";
  out += value;
  out += "\"]";
  return out;
}

}  // namespace strata::integration

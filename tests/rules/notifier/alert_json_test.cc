#include "rules/notifier/alert_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

namespace strata::rules::notifier {
namespace {

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(&out, s);
  return out;
}

std::string json_time(int64_t t_ms) {
  std::string out;
  append_json_time(&out, t_ms);
  return out;
}

TEST(AlertJsonTest, EncodesTheShapeAlertmanagerAccepts) {
  Alert a;
  a.labels = tsdb::Labels::from_strings({"alertname", "HighLoad", "severity", "page"});
  a.annotations = tsdb::Labels::from_strings({"summary", "load > 1"});
  a.starts_at_ms = 1714557600123;  // 2024-05-01T10:00:00.123Z
  a.ends_at_ms = 1714557900000;
  a.generator_url = "http://strata:9090/graph?g0.expr=up&g0.tab=1";
  Alert b;
  b.labels = tsdb::Labels::from_strings({"alertname", "Other"});
  std::vector<Alert> alerts{a, b};
  EXPECT_EQ(encode_alerts(alerts),
            R"([{"annotations":{"summary":"load \u003e 1"},"endsAt":"2024-05-01T10:05:00.000Z",)"
            R"("startsAt":"2024-05-01T10:00:00.123Z",)"
            R"("generatorURL":"http://strata:9090/graph?g0.expr=up\u0026g0.tab=1",)"
            R"("labels":{"alertname":"HighLoad","severity":"page"}},)"
            R"({"endsAt":"0001-01-01T00:00:00.000Z","startsAt":"0001-01-01T00:00:00.000Z",)"
            R"("labels":{"alertname":"Other"}}])");
  EXPECT_EQ(encode_alerts({}), "[]");
}

TEST(AlertJsonTest, EscapesStringsAsGo) {
  struct Case {
    const char* name;
    std::string in, want;
  };
  const Case cases[] = {
      {"plain", "abc", R"("abc")"},
      {"quote and backslash", "a\"b\\c", R"("a\"b\\c")"},
      {"short escapes", "\n\r\t\b\f", R"("\n\r\t\b\f")"},
      {"other controls", std::string("\x01\x1f\0", 3), R"("\u0001\u001f\u0000")"},
      {"html", "<a&b>", R"("\u003ca\u0026b\u003e")"},
      {"del passes", "\x7f", "\"\x7f\""},
      {"utf8 passes", "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
       "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
      {"line separators", "\xe2\x80\xa8\xe2\x80\xa9", R"("\u2028\u2029")"},
      {"invalid byte",
       "a\xff"
       "b",
       R"("a\ufffdb")"},
      {"truncated sequence", "\xe2\x82", R"("\ufffd\ufffd")"},
      {"overlong", "\xc0\xaf", R"("\ufffd\ufffd")"},
      {"surrogate", "\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
      {"above max", "\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(json_string(c.in), c.want);
  }
}

TEST(AlertJsonTest, FormatsTimesAsStrfmtDateTime) {
  struct Case {
    int64_t t_ms;
    const char* want;
  };
  const Case cases[] = {
      {0, R"("0001-01-01T00:00:00.000Z")"},
      {1, R"("1970-01-01T00:00:00.001Z")"},
      {-1, R"("1969-12-31T23:59:59.999Z")"},
      {951782400000, R"("2000-02-29T00:00:00.000Z")"},
      {1709251199999, R"("2024-02-29T23:59:59.999Z")"},
      {4102444800000, R"("2100-01-01T00:00:00.000Z")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.t_ms);
    EXPECT_EQ(json_time(c.t_ms), c.want);
  }
}

// Random bytes, biased towards what needs escaping, as a label name or value.
std::string random_text(std::mt19937_64& rng) {
  static const std::vector<std::string> pieces = {"a",
                                                  "Z",
                                                  "_",
                                                  "0",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "\n",
                                                  "\t",
                                                  "\x01",
                                                  "\x1f",
                                                  "\x7f",
                                                  "<",
                                                  ">",
                                                  "&",
                                                  "\xc3\xa9",
                                                  "\xe2\x82\xac",
                                                  "\xf0\x9f\x98\x80",
                                                  "\xe2\x80\xa8",
                                                  "\xff",
                                                  "\xc3",
                                                  "\xed\xa0\x80"};
  std::string s;
  const size_t n = rng() % 12;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 4 == 0) {
      s.push_back(static_cast<char>(rng() % 256));
    } else {
      s += pieces[rng() % pieces.size()];
    }
  }
  return s;
}

// Whether nlohmann_json (independent of the code under test) holds `s` to
// be valid UTF-8: it refuses to dump a string that is not.
bool valid_utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

TEST(AlertJsonTest, GeneratedLabelSetsParseAndRoundTrip) {
  std::mt19937_64 rng(20240501);
  for (int round = 0; round < 500; ++round) {
    SCOPED_TRACE(round);
    std::vector<Alert> alerts(1 + rng() % 4);
    for (auto& a : alerts) {
      auto random_set = [&](size_t n, const char* suffix) {
        std::vector<tsdb::Label> v;
        for (size_t i = 0; i < n; ++i) v.push_back({random_text(rng) + suffix, random_text(rng)});
        std::sort(v.begin(), v.end(), [](auto& x, auto& y) { return x.name < y.name; });
        v.erase(std::unique(v.begin(), v.end(), [](auto& x, auto& y) { return x.name == y.name; }),
                v.end());
        return tsdb::Labels(std::move(v));
      };
      a.labels = random_set(1 + rng() % 6, "l");
      a.annotations = random_set(rng() % 4, "a");
      a.starts_at_ms = int64_t(rng() % 4102444800000ULL) + 1;
      a.ends_at_ms = a.starts_at_ms + int64_t(rng() % 100000);
      a.generator_url = rng() % 2 ? "" : "http://x/graph?g0.expr=" + random_text(rng);
    }
    const std::string body = encode_alerts(alerts);
    // No raw control characters, and valid UTF-8 throughout.
    for (unsigned char c : body) ASSERT_GE(c, 0x20);
    ASSERT_TRUE(valid_utf8(body));
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(body)) << body;
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), alerts.size());
    for (size_t k = 0; k < alerts.size(); ++k) {
      const Alert& a = alerts[k];
      const auto& o = j[k];
      ASSERT_TRUE(o.is_object());
      EXPECT_EQ(o.contains("annotations"), !a.annotations.empty());
      EXPECT_EQ(o.contains("generatorURL"), !a.generator_url.empty());
      std::string starts, ends;
      append_json_time(&starts, a.starts_at_ms);
      append_json_time(&ends, a.ends_at_ms);
      EXPECT_EQ("\"" + o["startsAt"].get<std::string>() + "\"", starts);
      EXPECT_EQ("\"" + o["endsAt"].get<std::string>() + "\"", ends);
      auto check = [](const tsdb::Labels& want, const nlohmann::json& got) {
        bool all_valid = true;
        for (const auto& l : want) {
          if (!valid_utf8(l.name)) {
            all_valid = false;
            continue;
          }
          ASSERT_TRUE(got.contains(l.name)) << l.name;
          const std::string v = got[l.name].get<std::string>();
          // Valid UTF-8 comes back byte for byte; invalid bytes as U+FFFD.
          if (valid_utf8(l.value)) {
            EXPECT_EQ(v, l.value);
          } else {
            EXPECT_NE(v.find("\xef\xbf\xbd"), std::string::npos);
          }
        }
        // Invalid names may collide once replaced; otherwise one key each.
        if (all_valid) {
          EXPECT_EQ(got.size(), want.size());
        }
      };
      check(a.labels, o["labels"]);
      if (!a.annotations.empty()) check(a.annotations, o["annotations"]);
    }
  }
}

}  // namespace
}  // namespace strata::rules::notifier

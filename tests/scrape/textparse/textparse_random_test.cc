// Randomized tests of the exposition parsers.
//
// Round trip: a seeded generator writes expositions in both formats (random
// families of every type, HELP with escapes, UNIT, labels and quoted UTF-8
// names with escapes, values of every kind, timestamps, exemplars, blanks and
// comments where the text format allows them) and records what each entry
// must parse into; the parse must give exactly that.
//
// Mutations: the same bodies truncated, with bytes flipped, inserted and
// deleted, must parse to the end or stop with an InvalidArgument error,
// never crash, and every view handed out must be readable.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/float_format.h"
#include "gtest/gtest.h"
#include "scrape/textparse/parser.h"
#include "tests/scrape/textparse/dump.h"

namespace strata::scrape::textparse {
namespace {

using testing::dump_labels;

class Generator {
 public:
  Generator(uint64_t seed, Format f) : rng_(seed), f_(f) {}

  // A whole exposition; want() is what it parses into.
  std::string exposition() {
    body_.clear();
    want_.clear();
    int families = 1 + pick(12);
    for (int i = 0; i < families; ++i) family();
    if (om()) body_ += chance(0.3) ? "# EOF" : "# EOF\n";
    return body_;
  }
  const std::vector<std::string>& want() const { return want_; }

 private:
  bool om() const { return f_ == Format::kOpenMetrics; }
  int pick(int n) { return int(rng_() % uint64_t(n)); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  std::string plain_name(bool label) {
    static const char kFirst[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:";
    static const char kRest[] = "abcdefghijklmnopqrstuvwxyz_0123456789:";
    std::string s(1, kFirst[pick(label ? 53 : 54)]);
    int n = pick(12);
    for (int i = 0; i < n; ++i) s += kRest[pick(label ? 37 : 38)];
    if (label && s.size() > 1 && s[0] == '_' && s[1] == '_') s[1] = 'x';  // no reserved names
    return s;
  }
  // Text with everything the escapes have to carry.
  std::string random_text(int max_len) {
    static const char* kPieces[] = {"a", "b", "Z", "0", " ", "\"", "\\", "\n", "{", "}", ",", "=", "#",
                                    "\t", "ü", "€", "😀", "\\n", ".", "-"};
    std::string s;
    int n = pick(max_len + 1);
    for (int i = 0; i < n; ++i) s += kPieces[pick(20)];
    return s;
  }
  static std::string escape(std::string_view s, bool quote) {
    std::string out;
    for (char c : s) {
      if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '"' && quote) out += "\\\"";
      else out += c;
    }
    return out;
  }
  // Blanks the text format allows between tokens (`min` of them at least).
  std::string blanks(int min) {
    if (om()) return min ? " " : "";
    std::string s(size_t(min), ' ');
    int extra = chance(0.3) ? pick(3) : 0;
    for (int i = 0; i < extra; ++i) s += chance(0.5) ? ' ' : '\t';
    return s;
  }

  std::string value_text(double* v) {
    switch (pick(8)) {
      case 0: *v = std::nan(""); return chance(0.5) ? "NaN" : "nan";
      case 1: *v = HUGE_VAL; return chance(0.5) ? "+Inf" : "Inf";
      case 2: *v = -HUGE_VAL; return "-Inf";
      case 3: *v = double(int64_t(rng_() % 100000)); return std::to_string(int64_t(*v));
      default: {
        uint64_t bits = rng_();
        std::memcpy(v, &bits, sizeof *v);
        if (!std::isfinite(*v)) *v = 0.25;
        std::string s;
        append_float_go_g(&s, *v);
        return s;
      }
    }
  }
  // A timestamp as the format writes it, and its value in milliseconds.
  std::string timestamp_text(int64_t* ms) {
    if (!om()) {
      *ms = int64_t(rng_() >> 2);
      return std::to_string(*ms);
    }
    // Eighths of a second are exact in binary, so seconds * 1000 is too.
    int64_t k = int64_t(rng_() % 2000000000000ULL) - 1000000000000LL;
    *ms = k * 125;
    std::string s;
    append_float_go_g(&s, double(k) / 8);
    return s;
  }

  struct Label {
    std::string name, value;
    bool quoted;
  };
  std::string label_set(const std::string& metric, bool metric_quoted, const std::vector<Label>& labels) {
    std::vector<std::string> items;
    for (const Label& l : labels) {
      std::string name = l.quoted ? "\"" + escape(l.name, true) + "\"" : l.name;
      items.push_back(name + blanks(0) + "=" + blanks(0) + "\"" + escape(l.value, true) + "\"");
    }
    if (metric_quoted) {
      std::string m = "\"" + escape(metric, true) + "\"";
      items.insert(chance(0.7) ? items.begin() : items.end(), m);
    }
    std::string s = "{" + blanks(0);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) s += blanks(0) + "," + blanks(0);
      s += items[i];
    }
    if (!items.empty() && chance(0.2)) s += ",";
    return s + blanks(0) + "}";
  }

  // One sample line of `metric` (+ labels, + `extra` label last).
  void sample(const std::string& metric, bool quoted, const std::vector<Label>& labels, const Label* extra,
              bool exemplar_ok) {
    std::vector<Label> all = labels;
    if (extra) all.push_back(*extra);
    std::string line;
    if (quoted) {
      line = label_set(metric, true, all);
    } else {
      line = metric;
      if (!all.empty() || chance(0.2)) line += blanks(0) + label_set(metric, false, all);
    }
    double v;
    line += blanks(1) + value_text(&v);
    std::vector<tsdb::LabelView> views{{"__name__", metric}};
    for (const Label& l : all) views.emplace_back(l.name, l.value);
    std::string want = "series " + dump_labels(views);
    append_float_go_g(&want, v);
    if (chance(0.3)) {
      int64_t ms;
      line += blanks(1) + timestamp_text(&ms);
      want += " @" + std::to_string(ms);
    }
    if (om() && exemplar_ok && chance(0.3)) {
      std::vector<tsdb::LabelView> ex;
      std::vector<Label> ex_labels;
      int n = pick(3);
      for (int i = 0; i < n; ++i) ex_labels.push_back({"e" + std::to_string(i), random_text(6), false});
      line += " # " + label_set("", false, ex_labels);
      for (const Label& l : ex_labels) ex.emplace_back(l.name, l.value);
      double ev;
      line += " " + value_text(&ev);
      want += " # {" + dump_labels(ex) + "} ";
      append_float_go_g(&want, ev);
      if (chance(0.5)) {
        int64_t ms;
        line += " " + timestamp_text(&ms);
        want += " @" + std::to_string(ms);
      }
    }
    body_ += line + blanks(0) + "\n";
    want_.push_back(want);
  }

  void family() {
    static const MetricType kTextTypes[] = {MetricType::kCounter, MetricType::kGauge, MetricType::kHistogram,
                                            MetricType::kSummary, MetricType::kUnknown};
    static const MetricType kOmTypes[] = {MetricType::kCounter,   MetricType::kGauge,
                                          MetricType::kHistogram, MetricType::kGaugeHistogram,
                                          MetricType::kSummary,   MetricType::kInfo,
                                          MetricType::kStateset,  MetricType::kUnknown};
    MetricType type = om() ? kOmTypes[pick(8)] : kTextTypes[pick(5)];
    bool quoted = chance(0.15);
    std::string name = quoted ? "my." + random_text(5) : plain_name(false);
    bool unit = om() && chance(0.3);
    if (unit) name += "_seconds";
    std::string family = quoted ? "\"" + escape(name, true) + "\"" : name;

    if (!om() && chance(0.1)) {
      if (chance(0.5)) {
        body_ += "\n";
      } else {
        body_ += "# just a comment\n";
        want_.push_back("comment \"# just a comment\"");
      }
    }
    if (chance(0.7)) {
      // Starts with a letter: a help of blanks alone would read as empty.
      std::string help = "h" + random_text(10);
      body_ += "# HELP " + family + " " + escape(help, om()) + "\n";
      want_.push_back("help " + go_quote(name) + " " + go_quote(help));
    }
    if (chance(0.8)) {
      const char* written = !om() && type == MetricType::kUnknown ? "untyped" : metric_type_name(type);
      body_ += "# TYPE " + family + " " + written + "\n";
      want_.push_back("type " + go_quote(name) + " " + metric_type_name(type));
    } else {
      type = MetricType::kUnknown;  // untyped: no le/quantile normalization
    }
    if (unit) {
      body_ += "# UNIT " + family + " seconds\n";
      want_.push_back("unit " + go_quote(name) + " \"seconds\"");
    }

    int sets = 1 + pick(3);
    for (int s = 0; s < sets; ++s) {
      std::vector<Label> labels;
      int n = pick(5);
      for (int i = 0; i < n; ++i) {
        bool q = chance(0.1);
        std::string ln = q ? "l." + random_text(3) : plain_name(true);
        if (ln == "le" || ln == "quantile") ln += "_";
        labels.push_back({ln + std::to_string(i), random_text(12), q});
      }
      switch (type) {
        case MetricType::kCounter:
          sample(om() ? name + "_total" : name, quoted, labels, nullptr, true);
          if (om() && chance(0.5)) sample(name + "_created", quoted, labels, nullptr, false);
          break;
        case MetricType::kHistogram:
        case MetricType::kGaugeHistogram: {
          static const char* kLe[] = {"0.005", "0.1", "1.0", "2.5", "10.0", "+Inf"};
          for (const char* le : kLe) {
            Label l{"le", le, false};
            sample(name + "_bucket", quoted, labels, &l, true);
          }
          bool gauge = type == MetricType::kGaugeHistogram;
          sample(name + (gauge ? "_gsum" : "_sum"), quoted, labels, nullptr, false);
          sample(name + (gauge ? "_gcount" : "_count"), quoted, labels, nullptr, false);
          break;
        }
        case MetricType::kSummary: {
          static const char* kQ[] = {"0.0", "0.5", "0.99", "1.0"};
          for (const char* q : kQ) {
            Label l{"quantile", q, false};
            sample(name, quoted, labels, &l, false);
          }
          sample(name + "_sum", quoted, labels, nullptr, false);
          sample(name + "_count", quoted, labels, nullptr, false);
          break;
        }
        case MetricType::kInfo:
          sample(name + "_info", quoted, labels, nullptr, false);
          break;
        case MetricType::kStateset: {
          Label l{"state_of_" + std::to_string(s), "on", false};
          sample(name, quoted, labels, &l, false);
          break;
        }
        default:
          sample(name, quoted, labels, nullptr, false);
      }
    }
  }

  std::mt19937_64 rng_;
  Format f_;
  std::string body_;
  std::vector<std::string> want_;
};

constexpr int kBodies = 400;

TEST(TextParseRandomRoundTrip, TextFormat) {
  for (int seed = 1; seed <= kBodies; ++seed) {
    Generator g(seed, Format::kPrometheusText);
    std::string body = g.exposition();
    testing::Parsed p = testing::parse_all(Format::kPrometheusText, body);
    ASSERT_EQ(p.error, "") << "seed " << seed << "\n" << body;
    ASSERT_EQ(p.entries, g.want()) << "seed " << seed << "\n" << body;
  }
}

TEST(TextParseRandomRoundTrip, OpenMetrics) {
  for (int seed = 1; seed <= kBodies; ++seed) {
    Generator g(seed, Format::kOpenMetrics);
    std::string body = g.exposition();
    testing::Parsed p = testing::parse_all(Format::kOpenMetrics, body);
    ASSERT_EQ(p.error, "") << "seed " << seed << "\n" << body;
    ASSERT_EQ(p.entries, g.want()) << "seed " << seed << "\n" << body;
  }
}

// Parses to the end, reading every byte of every view; false after an error.
bool parse_touching_everything(Format f, std::string_view body) {
  size_t sum = 0;
  absl::Status s = testing::visit_all(f, body, [&](std::string_view v) {
    for (char c : v) sum += static_cast<unsigned char>(c);
  });
  if (s.ok()) return true;
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(s.message().empty());
  return false;
}

TEST(TextParseRandomMutations, NeverCrashAndStopCleanly) {
  static const char kBytes[] = {'\n', '"', '\\', '{', '}', '=', ',', ' ', '#', '\t', '\0', '\xff', 'a', '1', 'e'};
  std::mt19937_64 rng(42);
  int errors = 0, parsed = 0;
  for (Format f : {Format::kPrometheusText, Format::kOpenMetrics}) {
    for (int seed = 1; seed <= 150; ++seed) {
      Generator g(seed, f);
      std::string body = g.exposition();
      for (int m = 0; m < 40; ++m) {
        std::string b = body;
        int edits = 1 + int(rng() % 3);
        for (int k = 0; k < edits && !b.empty(); ++k) {
          size_t at = rng() % b.size();
          switch (rng() % 4) {
            case 0: b.resize(at); break;
            case 1: b[at] = kBytes[rng() % sizeof kBytes]; break;
            case 2: b.insert(b.begin() + long(at), kBytes[rng() % sizeof kBytes]); break;
            default: b.erase(at, 1);
          }
        }
        // A copy sized exactly, so reading past the end is caught by ASan.
        std::vector<char> exact(b.begin(), b.end());
        bool ok = parse_touching_everything(f, std::string_view(exact.data(), exact.size()));
        (ok ? parsed : errors)++;
      }
    }
  }
  // Both outcomes occur: the mutations neither always break nor never break.
  EXPECT_GT(errors, 1000);
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace strata::scrape::textparse

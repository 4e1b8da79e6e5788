#include "tools/ruletest/rule_unit_test.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/clock.h"
#include "base/duration.h"
#include "base/float_format.h"
#include "base/go_glob.h"
#include "base/go_quote.h"
#include "base/metrics.h"
#include "promql/engine.h"
#include "promql/parser/series_desc.h"
#include "rules/alerting_rule.h"
#include "rules/manager.h"
#include "tsdb/db.h"

namespace strata::ruletest {
namespace {

// --- the file -------------------------------------------------------------

struct ExpAlert {
  std::map<std::string, std::string> labels, annotations;
};
struct AlertTest {
  int64_t eval_time_ms = 0;
  std::string alertname;
  std::vector<ExpAlert> exp_alerts;
};
struct ExpSample {
  std::string labels;
  double value = 0;
};
struct ExprTest {
  std::string expr;
  int64_t eval_time_ms = 0;
  std::vector<ExpSample> exp_samples;
};
struct InputSeries {
  std::string series, values;
};
struct TestGroup {
  std::string name;
  int64_t interval_ms = 0;  // 0: evaluation_interval
  std::vector<InputSeries> input;
  std::vector<AlertTest> alert_tests;
  std::vector<ExprTest> expr_tests;
  std::map<std::string, std::string> external_labels;
  std::string external_url;
};
struct TestFile {
  std::vector<std::string> rule_files;
  int64_t evaluation_interval_ms = 60'000;
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

struct FileError {
  std::string message;
};

// Strict mappings: an unknown key is an error, as yaml.v2 with UnmarshalStrict.
std::map<std::string, YAML::Node> fields(const YAML::Node& n, std::set<std::string> known,
                                         const char* type) {
  std::map<std::string, YAML::Node> out;
  if (!n || n.IsNull()) return out;
  if (!n.IsMap()) throw FileError{"yaml: unmarshal errors:\n  line " + std::to_string(n.Mark().line + 1) +
                                  ": cannot unmarshal into " + type};
  for (const auto& kv : n) {
    std::string k = kv.first.as<std::string>();
    if (!known.count(k))
      throw FileError{"yaml: unmarshal errors:\n  line " + std::to_string(kv.first.Mark().line + 1) +
                      ": field " + k + " not found in type " + type};
    out[k] = kv.second;
  }
  return out;
}

int64_t duration(const YAML::Node& n) {
  auto d = parse_duration(n.as<std::string>());
  if (!d.ok()) throw FileError{std::string(d.status().message())};
  return *d;
}

double yaml_float(const YAML::Node& n) {
  std::string s = n.as<std::string>();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::nan("");
  if (s == ".inf" || s == "+.inf" || s == ".Inf" || s == "+.Inf") return INFINITY;
  if (s == "-.inf" || s == "-.Inf") return -INFINITY;
  auto v = parse_go_float(s);
  if (!v) throw FileError{"yaml: unmarshal errors:\n  line " + std::to_string(n.Mark().line + 1) +
                          ": cannot unmarshal !!str `" + s + "` into float64"};
  return *v;
}

std::map<std::string, std::string> string_map(const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (n && n.IsMap())
    for (const auto& kv : n) out[kv.first.as<std::string>()] = kv.second.IsNull() ? "" : kv.second.as<std::string>();
  return out;
}

template <typename F>
void each(const YAML::Node& n, F&& f) {
  if (n && n.IsSequence())
    for (const auto& e : n) f(e);
}

TestFile parse_test_file(const std::string& text) {
  TestFile t;
  YAML::Node root = YAML::Load(text);
  auto f = fields(root, {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
                  "main.unitTestFile");
  each(f["rule_files"], [&](const YAML::Node& n) { t.rule_files.push_back(n.as<std::string>()); });
  if (f.count("evaluation_interval")) t.evaluation_interval_ms = duration(f["evaluation_interval"]);
  each(f["group_eval_order"], [&](const YAML::Node& n) { t.group_eval_order.push_back(n.as<std::string>()); });
  each(f["tests"], [&](const YAML::Node& tn) {
    TestGroup g;
    auto tf = fields(tn, {"interval", "input_series", "alert_rule_test", "promql_expr_test",
                          "external_labels", "external_url", "name"},
                     "main.testGroup");
    if (tf.count("interval")) g.interval_ms = duration(tf["interval"]);
    if (tf.count("name")) g.name = tf["name"].as<std::string>();
    if (tf.count("external_url")) g.external_url = tf["external_url"].as<std::string>();
    g.external_labels = string_map(tf["external_labels"]);
    each(tf["input_series"], [&](const YAML::Node& n) {
      auto sf = fields(n, {"series", "values"}, "main.series");
      g.input.push_back({sf.count("series") ? sf["series"].as<std::string>() : "",
                         sf.count("values") ? sf["values"].as<std::string>() : ""});
    });
    each(tf["alert_rule_test"], [&](const YAML::Node& n) {
      auto af = fields(n, {"eval_time", "alertname", "exp_alerts"}, "main.alertTestCase");
      AlertTest a;
      if (af.count("eval_time")) a.eval_time_ms = duration(af["eval_time"]);
      if (af.count("alertname")) a.alertname = af["alertname"].as<std::string>();
      each(af["exp_alerts"], [&](const YAML::Node& e) {
        auto ef = fields(e, {"exp_labels", "exp_annotations"}, "main.alert");
        a.exp_alerts.push_back({string_map(ef["exp_labels"]), string_map(ef["exp_annotations"])});
      });
      g.alert_tests.push_back(std::move(a));
    });
    each(tf["promql_expr_test"], [&](const YAML::Node& n) {
      auto pf = fields(n, {"expr", "eval_time", "exp_samples"}, "main.promqlTestCase");
      ExprTest e;
      if (pf.count("expr")) e.expr = pf["expr"].as<std::string>();
      if (pf.count("eval_time")) e.eval_time_ms = duration(pf["eval_time"]);
      each(pf["exp_samples"], [&](const YAML::Node& s) {
        auto sf = fields(s, {"labels", "value", "histogram"}, "main.sample");
        if (sf.count("histogram")) throw FileError{"native histograms in exp_samples are not supported"};
        e.exp_samples.push_back({sf.count("labels") ? sf["labels"].as<std::string>() : "",
                                 sf.count("value") ? yaml_float(sf["value"]) : 0});
      });
      g.expr_tests.push_back(std::move(e));
    });
    t.tests.push_back(std::move(g));
  });
  return t;
}

// --- the report's formats ---------------------------------------------------

std::string indent_lines(const std::string& s, const std::string& indent) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

struct LabelsAndAnnotations {
  tsdb::Labels labels, annotations;
  bool operator<(const LabelsAndAnnotations& o) const {
    int c = tsdb::Labels::compare(labels, o.labels);
    return c != 0 ? c < 0 : tsdb::Labels::compare(annotations, o.annotations) < 0;
  }
  bool operator==(const LabelsAndAnnotations& o) const {
    return labels == o.labels && annotations == o.annotations;
  }
};

std::string to_string(const std::vector<LabelsAndAnnotations>& la) {
  if (la.empty()) return "[]";
  std::string s = "[";
  for (size_t i = 0; i < la.size(); ++i) {
    s += (i ? ",\n" : "\n") + std::to_string(i) + ":" +
         indent_lines("\nLabels:" + la[i].labels.to_string() + "\nAnnotations:" +
                          la[i].annotations.to_string(),
                      "  ");
  }
  return s + "\n]";
}

struct Sample {
  tsdb::Labels labels;
  double value;
};

std::string to_string(const std::vector<Sample>& ss) {
  if (ss.empty()) return "nil";
  std::string out;
  for (size_t i = 0; i < ss.size(); ++i) {
    if (i) out += ", ";
    std::string v;
    append_float_go_e(&v, ss[i].value);
    for (char& c : v)
      if (c == 'e') c = 'E';
    out += ss[i].labels.to_string() + " " + v;
  }
  return out;
}

tsdb::Labels from_map(const std::map<std::string, std::string>& m) {
  std::vector<tsdb::Label> items;
  for (const auto& [k, v] : m) items.push_back({k, v});
  return tsdb::Labels(std::move(items));
}

// promtool's resolveAndGlobFilepaths: each rule_files entry joined to the
// test file's directory (an empty one is left empty), then globbed; a
// malformed pattern fails the file, one matching nothing is a warning.
absl::StatusOr<std::vector<std::string>> resolve_rule_files(const std::string& dir,
                                                            const std::vector<std::string>& globs) {
  std::vector<std::string> out;
  for (const auto& g : globs) {
    const std::string pattern = go_join_dir(dir, g);
    auto m = go_glob(pattern);
    if (!m.ok()) return m.status();
    if (m->empty()) std::fprintf(stderr, "  WARNING: no file match pattern %s\n", pattern.c_str());
    out.insert(out.end(), m->begin(), m->end());
  }
  return out;
}

// --- one test group -----------------------------------------------------------

std::vector<std::string> run_group(const TestFile& file, const TestGroup& tg,
                                   const std::vector<std::string>& rule_paths, const Options& opts) {
  metrics::Registry registry;
  promql::EngineOptions eo;
  eo.compat = opts.compat;
  promql::Engine engine(eo, &registry);
  auto db_or = tsdb::DB::open(tsdb::DBOptions{""}, &registry);
  if (!db_or.ok()) return {"    " + std::string(db_or.status().message())};
  std::unique_ptr<tsdb::DB> db = std::move(*db_or);
  const int64_t interval = tg.interval_ms > 0 ? tg.interval_ms : file.evaluation_interval_ms;

  // The input series at 0, interval, 2 × interval, ...
  {
    auto app = db->appender();
    for (const auto& in : tg.input) {
      auto desc = promql::parser::parse_series_desc(in.series + " " + in.values);
      if (!desc.ok()) return {"    " + std::string(desc.status().message())};
      if (desc->has_histograms) return {"    native histograms in input_series are not supported"};
      for (size_t i = 0; i < desc->values.size(); ++i) {
        if (!desc->values[i].has_value()) continue;
        auto r = app->append(0, desc->labels, int64_t(i) * interval, desc->values[i].value);
        if (!r.ok()) return {"    " + std::string(r.status().message())};
      }
    }
    if (auto s = app->commit(); !s.ok()) return {"    " + std::string(s.message())};
  }

  rules::RuleFileOptions fopts;
  fopts.parse = promql::parser::options_for(eo);
  std::vector<rules::ParsedRuleFile> parsed;
  std::vector<std::string> errs;
  for (const auto& path : rule_paths) {
    parsed.push_back(rules::load_rule_file(path, fopts));
    for (const auto& e : parsed.back().errors) errs.push_back("    " + e);
  }
  if (!errs.empty()) return errs;

  rules::GroupEnv env;
  env.engine = &engine;
  env.queryable = db.get();
  env.appendable = db.get();
  env.utf8_names = opts.compat == promql::Compat::kV3;
  env.now_ms = [] { return now_ms(); };
  auto alert_env = std::make_shared<rules::AlertingRuleEnv>();
  alert_env->external_labels = from_map(tg.external_labels);
  alert_env->external_url = tg.external_url;
  auto built = rules::build_groups(parsed, file.evaluation_interval_ms, 0, &env, alert_env);
  if (!built.ok()) return {"    " + std::string(built.status().message())};
  std::vector<std::unique_ptr<rules::Group>> groups = std::move(*built);

  // group_eval_order, when given, names every group once.
  std::map<std::string, int> order;
  for (size_t i = 0; i < file.group_eval_order.size(); ++i)
    if (!order.emplace(file.group_eval_order[i], int(i)).second)
      return {"group name repeated in evaluation order: " + file.group_eval_order[i]};
  if (!order.empty()) {
    for (const auto& g : groups)
      if (!order.count(g->name()))
        return {"    group \"" + g->name() + "\" is missing in group_eval_order"};
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const auto& a, const auto& b) { return order[a->name()] < order[b->name()]; });
  }
  for (auto& g : groups) g->mark_restored();

  std::map<int64_t, std::vector<const AlertTest*>> alert_tests;
  int64_t maxt = 0;
  for (const auto& a : tg.alert_tests) {
    alert_tests[a.eval_time_ms].push_back(&a);
    maxt = std::max(maxt, a.eval_time_ms);
  }
  for (const auto& e : tg.expr_tests) maxt = std::max(maxt, e.eval_time_ms);
  const std::string test_name = tg.name.empty() ? "" : "    name: " + tg.name + ",\n";

  auto next_alert_test = alert_tests.begin();
  const int64_t step = file.evaluation_interval_ms;
  for (int64_t ts = 0; ts <= maxt && step > 0; ts += step) {
    std::vector<std::string> eval_errs;
    for (auto& g : groups) {
      g->eval(ts);
      for (const auto& r : g->rules()) {
        auto st = r->status();
        if (st.health == rules::RuleHealth::kBad)
          eval_errs.push_back("    rule: " + r->name() + ", time: " + format_go_duration(ts) +
                              ", err: " + st.last_error);
      }
    }
    if (!eval_errs.empty()) {
      errs.insert(errs.end(), eval_errs.begin(), eval_errs.end());
      return errs;
    }
    // Alert tests whose eval_time falls in [ts, ts + step) see this evaluation.
    for (; next_alert_test != alert_tests.end() && next_alert_test->first < ts + step; ++next_alert_test) {
      std::map<std::string, std::vector<LabelsAndAnnotations>> got;
      for (const AlertTest* t : next_alert_test->second) got[t->alertname];
      for (const auto& g : groups)
        for (const auto& r : g->rules())
          if (const rules::AlertingRule* a = r->as_alerting(); a && got.count(a->name()))
            for (const auto& al : a->alerts())
              if (al.state == rules::AlertState::kFiring)
                got[a->name()].push_back({al.labels, al.annotations});
      for (const AlertTest* t : next_alert_test->second) {
        std::vector<LabelsAndAnnotations> exp;
        for (const auto& e : t->exp_alerts) {
          auto l = e.labels;
          l["alertname"] = t->alertname;
          exp.push_back({from_map(l), from_map(e.annotations)});
        }
        std::vector<LabelsAndAnnotations> g = got[t->alertname];
        std::sort(exp.begin(), exp.end());
        std::sort(g.begin(), g.end());
        if (exp != g)
          errs.push_back(test_name + "    alertname: " + t->alertname + ", time: " +
                         format_duration(t->eval_time_ms) + ", \n        exp:" +
                         indent_lines(to_string(exp), "            ") + ", \n        got:" +
                         indent_lines(to_string(g), "            "));
      }
    }
  }

  for (const auto& t : tg.expr_tests) {
    const std::string where = "    expr: " + go_quote(t.expr) + ", time: " + format_duration(t.eval_time_ms);
    auto r = engine.instant(*db, t.expr, t.eval_time_ms);
    std::vector<Sample> got;
    if (r.ok()) {
      if (auto* v = std::get_if<promql::Vector>(&r->value)) {
        for (auto& s : *v) got.push_back({s.metric, s.v});
      } else if (auto* sc = std::get_if<promql::Scalar>(&r->value)) {
        got.push_back({tsdb::Labels(), sc->v});
      } else {
        r = absl::InvalidArgumentError("rule result is not a vector or scalar");
      }
    }
    if (!r.ok()) {
      errs.push_back(where + ", err: " + std::string(r.status().message()));
      continue;
    }
    std::vector<Sample> exp;
    bool bad = false;
    for (const auto& e : t.exp_samples) {
      auto desc = promql::parser::parse_series_desc(e.labels);
      if (!desc.ok()) {
        errs.push_back(where + ", err: labels " + go_quote(e.labels) + ": " +
                       std::string(desc.status().message()));
        bad = true;
        break;
      }
      exp.push_back({desc->labels, e.value});
    }
    if (bad) continue;
    auto by_labels = [](const Sample& a, const Sample& b) { return a.labels < b.labels; };
    std::stable_sort(exp.begin(), exp.end(), by_labels);
    std::stable_sort(got.begin(), got.end(), by_labels);
    // Exact equality (NaN never equals, as reflect.DeepEqual).
    bool same = exp.size() == got.size();
    for (size_t i = 0; same && i < exp.size(); ++i)
      same = exp[i].labels == got[i].labels && exp[i].value == got[i].value;
    if (!same)
      errs.push_back(where + ",\n        exp: " + to_string(exp) + "\n        got: " + to_string(got));
  }
  return errs;
}

}  // namespace

std::vector<std::string> run_rule_unit_test(const std::string& path, const Options& opts) {
  std::ifstream in(path);
  if (!in) return {"open " + path + ": " + std::strerror(errno)};
  std::stringstream ss;
  ss << in.rdbuf();
  TestFile file;
  try {
    file = parse_test_file(ss.str());
  } catch (const FileError& e) {
    return {e.message};
  } catch (const YAML::Exception& e) {
    return {"yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
  if (file.evaluation_interval_ms <= 0) file.evaluation_interval_ms = 60'000;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  auto rule_paths = resolve_rule_files(dir.empty() ? "." : dir, file.rule_files);
  if (!rule_paths.ok()) return {std::string(rule_paths.status().message())};
  std::vector<std::string> errs;
  for (const auto& tg : file.tests) {
    auto e = run_group(file, tg, *rule_paths, opts);
    errs.insert(errs.end(), e.begin(), e.end());
  }
  return errs;
}

int test_rules_main(const std::vector<std::string>& files, const Options& opts) {
  bool failed = false;
  for (const auto& f : files) {
    std::printf("Unit Testing:  %s\n", f.c_str());
    std::fflush(stdout);
    auto errs = run_rule_unit_test(f, opts);
    if (!errs.empty()) {
      std::fprintf(stderr, "  FAILED:\n");
      for (const auto& e : errs) {
        std::fprintf(stderr, "%s\n", e.c_str());
        std::printf("\n");
      }
      failed = true;
    } else {
      std::printf("  SUCCESS\n");
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}

}  // namespace strata::ruletest

// stratatool: Strata's companion command line, in the spirit of promtool.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <iostream>

#include "base/go_glob.h"
#include "base/go_quote.h"
#include "base/stack.h"
#include "net/client.h"
#include "rules/rule_file.h"
#include "server/build_info.h"
#include "scrape/discovery/target_group.h"
#include "scrape/target_labels.h"
#include "server/config.h"
#include "server/web_config_file.h"
#include "base/duration.h"
#include "tools/check/metrics_lint.h"
#include "tools/dashlint/lint_main.h"
#include "tools/import/import_main.h"
#include "tools/ruletest/rule_unit_test.h"
#include "tools/promqltest/runner.h"
#include "tools/promqltest/script.h"

namespace {

constexpr const char* kUsage = R"(usage: stratatool <command> [flags] [args]

Strata's companion tool.

Commands:
  promqltest [--compat=v3|v2] [--skip-unsupported] [-v] FILE|DIR...
      Runs PromQL test scripts (Prometheus' promqltest language: load, clear,
      eval instant/range with expect lines, and the 2.x eval/eval_fail/
      eval_ordered forms) against an in-memory Strata engine. Prints failures
      as FILE:LINE and "N passed, N failed, N skipped"; exits 1 on failure.
      --compat=v2 follows Prometheus 2.x semantics (closed windows,
      holt_winters); --skip-unsupported counts evals that need native
      histograms as skipped instead of failed.
  import prometheus-tsdb SRC_DIR --storage.tsdb.path=DST_DIR
      Converts the persisted blocks of a Prometheus 2.x data directory (or a
      snapshot of one) into Strata blocks in DST_DIR, Strata's data
      directory (stop strata first). Blocks overlapping each other are
      merged; deleted (tombstoned) samples are left out; native histogram
      samples are skipped with a warning. Prometheus' head (wal/,
      chunks_head/) is not read: stop Prometheus, or import a snapshot from
      POST /api/v1/admin/tsdb/snapshot, which includes the head.
  check config [--syntax-only] [--compat=v2] [--lint=none|duplicate-rules] [--lint-fatal] FILE...
      Checks prometheus.yml files as the server loads them (same messages);
      prints "SUCCESS" or "FAILED" per file like promtool and exits 1 when
      any file fails. Unless --syntax-only, also as promtool: a rule_files
      entry without '*' must name an existing file, a scrape job's
      credentials and client certificate files must exist, file_sd files must
      parse and each of their targets must make a valid scrape target (a
      missing file is a warning), and every rule file found is then
      checked as by check rules (the lint flags are check rules').
  check web-config FILE...
      Checks --web.config.file files as the server loads them (YAML,
      bcrypt hashes, certificate and key files); prints "FILE SUCCESS" or
      "FILE FAILED: reason" like promtool and exits 1 when any file fails.
  check rules [--compat=v2] [--lint=none|duplicate-rules] [--lint-fatal] FILE...
      Checks rule files as the server loads them (same messages as promtool:
      positions, group, rule index and name); prints "SUCCESS: N rules
      found" or "FAILED" per file and exits 1 when any file fails. The
      duplicate-rules lint (rules with the same name and labels) is printed
      but only fails with --lint-fatal (exit 3). --compat=v2 checks names
      and fields as Prometheus 2.x does.
  check metrics
      Lints a metrics exposition read from stdin (text format 0.0.4) with
      promtool's rules (help texts, counter suffixes, base units, ...).
      Exits 0 when clean, 3 with lint problems, 1 when the body does not
      parse (the message is the one a scrape of it would show).
  test rules [--compat=v2] TEST-FILE...
      Runs rule unit tests in promtool's format (rule_files, input_series in
      the expanding notation, alert_rule_test with exp_alerts,
      promql_expr_test with exp_samples, group_eval_order,
      external_labels/external_url). Prints "SUCCESS" or "FAILED" with each
      difference per file like promtool; exits 1 when any test fails.
  lint dashboard [--url=URL] [--format=text|json] [--strict]
                 [--scrape-interval=DURATION] [--datasource-uid=UID]...
                 [--compat=v3|v2] [--enable-feature=promql-experimental-functions]
                 FILE|DIR...
      Lints Grafana dashboard JSON (as Grafana 9-11 exports it; a directory
      stands for its *.json files). Every Prometheus query of a panel target,
      annotation and query variable is checked after template variables are
      replaced by sample values as Grafana replaces them ($var, ${var},
      ${var:format}, [[var]]; multi-value and All as the regex (a|b) or the
      custom all value; each variable at its saved current value, else its
      first option; $__interval from the dashboard's time range (default 6h)
      over 1000 points, at least the scrape interval and the panel's min
      interval; $__rate_interval = max($__interval + scrape interval,
      4 x scrape interval); $__range and friends from the time range).
      label_values(), label_names(), metrics() and query_result() variable
      queries are checked in the grammar Grafana sends them in.
      Errors: PromQL syntax errors (Prometheus' message, positioned in the
      query as written), histogram_quantile over an aggregation of *_bucket
      series that drops "le", a datasource placeholder (${DS_X}) that is
      neither in __inputs nor a datasource variable, a query field that is
      not a string. Warnings: the same histogram_quantile over other series
      (native histograms need no "le"), a literal quantile outside [0, 1],
      metrics() regexes that do not compile, rate(),
      increase(), delta(), deriv() over less than 4 scrape intervals (irate,
      idelta: 2) unless the range is $__rate_interval, ranges shorter than
      one scrape interval, rate() of an aggregated subquery, multi-value or
      All variables inside = matchers, unknown variables and formats, empty
      targets, duplicate refIds, literal datasource uids (they resolve only in
      the Grafana the dashboard came from; --datasource-uid names ones that
      exist where it goes). Targets of other datasources, -- Grafana -- and
      -- Dashboard -- are skipped; -- Mixed -- panels are linted per target.
      With --url (a Strata or Prometheus): warnings for metric names without
      series (/api/v1/label/__name__/values) and rate/increase/irate of a
      metric whose /api/v1/metadata type is gauge; the global scrape_interval
      of /api/v1/status/config replaces the default 15s unless
      --scrape-interval is given.
      Output: one line per finding, FILE: panel "TITLE" (id N) target REFID:
      error|warning: MESSAGE [check], or with --format=json one document with
      every field (expression as written and as expanded). Exit status 0
      when clean, 1 with errors (with --strict also with warnings), 2 on bad
      usage, unreadable files, invalid JSON or an unreachable --url.
  healthcheck [--url=URL]
      Asks a running Strata whether it is healthy: GET URL/-/healthy
      (default http://localhost:9090) within 5 s. Exits 0 on 200, 1 otherwise
      with the reason on stderr. For container HEALTHCHECKs and scripts.
  help, --help, -h (also after any command)
      This text.
  version, --version
      The version, git revision and build facts, like strata --version.
)";

int promqltest(int argc, char** argv) {
  strata::promqltest::RunOptions opts;
  std::vector<std::string> files;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--compat=v2") {
      opts.compat = strata::promql::Compat::kV2;
    } else if (a == "--compat=v3") {
      opts.compat = strata::promql::Compat::kV3;
    } else if (a == "--skip-unsupported") {
      opts.skip_unsupported = true;
    } else if (a == "-v" || a == "--verbose") {
      opts.verbose = true;
    } else if (a.rfind("-", 0) == 0) {
      std::fprintf(stderr, "stratatool promqltest: unknown flag %s\n", a.c_str());
      return 2;
    } else if (std::filesystem::is_directory(a)) {
      // A directory stands for its *.test files, in name order.
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.path().extension() == ".test") found.push_back(e.path().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "stratatool promqltest: no test files given\n");
    return 2;
  }
  strata::promqltest::RunStats total;
  for (const std::string& f : files) {
    std::ifstream in(f);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open\n", f.c_str());
      ++total.failed;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto script = strata::promqltest::parse_script(f, ss.str());
    if (!script.ok()) {
      std::printf("%s\n", std::string(script.status().message()).c_str());
      ++total.failed;
      continue;
    }
    strata::promqltest::Runner runner(opts);
    auto st = runner.run(*script);
    total.passed += st.passed;
    total.failed += st.failed;
    total.skipped += st.skipped;
  }
  std::printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
  return total.failed == 0 ? 0 : 1;
}

// promtool check web-config: one line per file on stderr.
int check_web_config(int argc, char** argv) {
  if (argc == 0) {
    std::fprintf(stderr, "stratatool: error: required argument 'web-config-files' not provided, try --help\n");
    return 1;
  }
  bool failed = false;
  for (int i = 0; i < argc; ++i) {
    auto c = strata::server::WebConfigFile::load(argv[i], nullptr);
    if (c.ok()) {
      std::fprintf(stderr, "%s SUCCESS\n", argv[i]);
    } else {
      std::fprintf(stderr, "%s FAILED: %s\n", argv[i], std::string(c.status().message()).c_str());
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

// promtool check metrics: problems on stderr, exit 3 when there are any.
int check_metrics() {
  std::stringstream ss;
  ss << std::cin.rdbuf();
  auto problems = strata::tools::lint_metrics(ss.str());
  if (!problems.ok()) {
    std::fprintf(stderr, "error while linting: %s\n", std::string(problems.status().message()).c_str());
    return 1;
  }
  for (const auto& p : *problems) std::fprintf(stderr, "%s %s\n", p.metric.c_str(), p.text.c_str());
  return problems->empty() ? 0 : 3;
}

// --compat=v2|v3; false for any other word.
bool compat_flag(const std::string& a, strata::promql::Compat* compat) {
  if (a == "--compat=v2") *compat = strata::promql::Compat::kV2;
  else if (a == "--compat=v3") *compat = strata::promql::Compat::kV3;
  else return false;
  return true;
}

// A subcommand's words: flags go to `flag` (false: unknown), the rest are
// files, of which there must be one at least. Errors are printed in
// promtool's words; false then.
bool split_args(int argc, char** argv, const char* files_name,
                const std::function<bool(const std::string&)>& flag, std::vector<std::string>* files) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("-", 0) != 0) {
      files->push_back(a);
    } else if (!flag(a)) {
      std::fprintf(stderr, "stratatool: error: unknown flag %s, try --help\n", a.c_str());
      return false;
    }
  }
  if (files->empty())
    std::fprintf(stderr, "stratatool: error: required argument '%s' not provided, try --help\n",
                 files_name);
  return !files->empty();
}

// Duplicate rules of one file (same name and labels), each reported once,
// in promtool's words.
std::string duplicate_rules_lint(const strata::rules::ParsedRuleFile& f) {
  using Key = std::pair<std::string, std::vector<strata::rules::KeyValue>>;
  std::vector<Key> rules;
  for (const auto& g : f.groups)
    for (const auto& r : g.rules) rules.emplace_back(r.name(), r.labels);
  std::sort(rules.begin(), rules.end());
  std::vector<const Key*> dups;
  for (size_t i = 1; i < rules.size(); ++i)
    if (rules[i] == rules[i - 1] && (dups.empty() || *dups.back() != rules[i])) dups.push_back(&rules[i]);
  if (dups.empty()) return "";
  std::string out = "lint error " + std::to_string(dups.size()) + " duplicate rule(s) found.\n";
  for (const Key* k : dups) {
    out += "Metric: " + k->first + "\nLabel(s):\n";
    for (const auto& [n, v] : k->second) out += "\t" + n + ": " + v + "\n";
  }
  return out + "Might cause inconsistency while recording expressions";
}

// How `check rules` (and `check config`, for the rule files it names) reads
// rule files: the PromQL dialect and the duplicate-rules lint.
struct RuleCheckOptions {
  strata::rules::RuleFileOptions file;
  bool lint_duplicates = true, lint_fatal = false;
  // --compat, --lint and --lint-fatal; false for other words.
  bool flag(const std::string& a) {
    if (compat_flag(a, &file.parse.compat)) return true;
    if (a == "--lint=none") lint_duplicates = false;
    else if (a == "--lint=duplicate-rules") lint_duplicates = true;
    else if (a == "--lint-fatal") lint_fatal = true;
    else return false;
    return true;
  }
};

struct RuleCheckResult {
  bool failed = false;  // errors or lint findings
  bool errors = false;  // errors that are not lint findings
  // promtool's exit code for a run with these results.
  int exit_code(const RuleCheckOptions& o) const { return errors ? 1 : failed && o.lint_fatal ? 3 : 0; }
};

// One rule file as promtool checks it: "Checking" and the rule count on
// stdout, problems on stderr (each after `indent`: check config indents them),
// then a blank line.
void check_rule_file(const std::string& f, const RuleCheckOptions& o, const char* indent, RuleCheckResult* r) {
  std::printf("Checking %s\n", f.c_str());
  std::fflush(stdout);
  auto parsed = strata::rules::load_rule_file(f, o.file);
  std::string lint = parsed.ok() && o.lint_duplicates ? duplicate_rules_lint(parsed) : "";
  if (!parsed.ok() || !lint.empty()) {
    std::fprintf(stderr, "  FAILED:\n");
    for (const auto& e : parsed.errors) std::fprintf(stderr, "%s%s\n", indent, e.c_str());
    if (!lint.empty()) std::fprintf(stderr, "%s%s\n", indent, lint.c_str());
    r->failed = true;
    r->errors = r->errors || !parsed.ok();
  } else {
    std::printf("  SUCCESS: %zu rules found\n", parsed.rule_count());
  }
  std::printf("\n");
  std::fflush(stdout);
}

// promtool check rules: "Checking" on stdout, problems on stderr.
int check_rules(int argc, char** argv) {
  RuleCheckOptions opts;
  std::vector<std::string> files;
  if (!split_args(argc, argv, "rule-files", [&](const std::string& a) { return opts.flag(a); }, &files))
    return 1;
  for (const auto& f : files) {
    std::error_code ec;
    if (!std::filesystem::exists(f, ec)) {
      std::fprintf(stderr, "stratatool: error: path '%s' does not exist, try --help\n", f.c_str());
      return 1;
    }
    if (std::filesystem::is_directory(f, ec)) {
      std::fprintf(stderr, "stratatool: error: '%s' is a directory, try --help\n", f.c_str());
      return 1;
    }
  }
  RuleCheckResult result;
  for (const auto& f : files) check_rule_file(f, opts, "", &result);
  return result.exit_code(opts);
}

// The files of one file_sd_configs block as promtool checks them: each match
// must parse as target groups ("checking SD file <glob>: ..."), and, for a
// scrape job, every target must make a valid scrape target ("instance N in
// group : <why>"); a glob that matches nothing is a warning on stdout.
absl::Status check_sd_files(const std::vector<strata::scrape::FileSdConfig>& sds, const std::string& owner,
                            const strata::scrape::ScrapeConfig* job,
                            const strata::scrape::TargetLabelsOptions& target_opts) {
  for (const auto& sd : sds) {
    for (const auto& pattern : sd.files) {
      auto matches = strata::go_glob(pattern);
      if (!matches.ok()) return matches.status();
      if (matches->empty())
        std::printf("  WARNING: file %s for file_sd in %s does not exist\n", strata::go_quote(pattern).c_str(),
                    owner.c_str());
      for (const auto& f : *matches) {
        // As Go's os.ReadFile fails: on open, or reading a directory.
        std::ifstream in(f);
        const int open_errno = errno;
        std::error_code ec;
        const bool is_dir = std::filesystem::is_directory(f, ec);
        std::stringstream ss;
        if (in && !is_dir) ss << in.rdbuf();
        auto format = strata::scrape::group_file_format(f);
        absl::StatusOr<std::vector<strata::scrape::TargetGroup>> groups =
            !in       ? absl::InvalidArgumentError("open " + f + ": " + std::strerror(open_errno))
            : is_dir  ? absl::InvalidArgumentError("read " + f + ": is a directory")
            : !format ? absl::InvalidArgumentError("invalid file extension")
                      : strata::scrape::parse_target_groups(ss.str(), *format, f);
        if (!groups.ok())
          return absl::InvalidArgumentError("checking SD file " + strata::go_quote(pattern) + ": " +
                                            std::string(groups.status().message()));
        if (job == nullptr) continue;
        for (const auto& g : *groups) {
          for (size_t i = 0; i < g.targets.size(); ++i) {
            auto t = strata::scrape::populate_target_labels(g.targets[i], g.labels, *job, target_opts);
            // promtool reads the file itself, so its groups have no source.
            if (!t.error.ok())
              return absl::InvalidArgumentError("instance " + std::to_string(i) + " in group : " +
                                                std::string(t.error.message()));
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

// promtool's checkFileExists: "" is fine, else os.Stat must succeed; the
// error is Go's ("stat x: no such file or directory").
absl::Status check_file_exists(const std::string& path) {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) == 0) return absl::OkStatus();
  std::string why = std::strerror(errno);
  if (!why.empty()) why[0] = char(std::tolower(static_cast<unsigned char>(why[0])));
  return absl::NotFoundError("stat " + path + ": " + why);
}

// A scrape job's credential and client certificate files must exist.
absl::Status check_scrape_files(const strata::scrape::ScrapeConfig& sc) {
  const auto& http = sc.http;
  struct File {
    const char* what;
    std::string path;
  };
  const File files[] = {
      {"authorization credentials or bearer token", http.authorization ? http.authorization->credentials_file : ""},
      {"client cert", http.tls_config.cert_file},
      {"client key", http.tls_config.key_file},
  };
  for (const auto& f : files) {
    absl::Status st = check_file_exists(f.path);
    if (!st.ok())
      return absl::NotFoundError(std::string("error checking ") + f.what + " file " + strata::go_quote(f.path) +
                                 ": " + std::string(st.message()));
  }
  return absl::OkStatus();
}

// What promtool checks past the syntax: rule_files entries without a '*'
// must name an existing file; a scrape job's credentials and client
// certificate files must exist, its file_sd files parse into valid targets.
// The rule files found.
absl::StatusOr<std::vector<std::string>> check_config_files(const strata::server::Config& c,
                                                            const RuleCheckOptions& o) {
  std::vector<std::string> rule_files;
  for (const auto& pattern : c.rule_files) {
    auto matches = strata::go_glob(pattern);
    if (!matches.ok()) return matches.status();
    if (pattern.find('*') == std::string::npos && matches->empty())
      return absl::InvalidArgumentError(strata::go_quote(pattern) + " does not point to an existing file");
    rule_files.insert(rule_files.end(), matches->begin(), matches->end());
  }
  strata::scrape::TargetLabelsOptions target_opts;
  target_opts.prometheus_v2 = o.file.parse.compat == strata::promql::Compat::kV2;
  for (const auto& sc : c.scrape_configs) {
    if (absl::Status st = check_scrape_files(sc); !st.ok()) return st;
    absl::Status st = check_sd_files(sc.file_sd_configs, "scrape job " + strata::go_quote(sc.job_name), &sc,
                                     target_opts);
    if (!st.ok()) return st;
  }
  for (const auto& am : c.alertmanagers) {
    absl::Status st = check_sd_files(am.file_sd_configs, "alertmanager config", nullptr, target_opts);
    if (!st.ok()) return st;
  }
  return rule_files;
}

// promtool check config: stdout says what is checked, stderr how it went;
// then the rule files the configuration names, as check rules does them.
int check_config(int argc, char** argv) {
  RuleCheckOptions opts;
  bool syntax_only = false;
  std::vector<std::string> files;
  auto flag = [&](const std::string& a) {
    if (a == "--syntax-only") return syntax_only = true;
    return opts.flag(a);
  };
  if (!split_args(argc, argv, "config-files", flag, &files)) return 1;
  for (const auto& f : files) {
    if (!std::filesystem::exists(f)) {
      std::fprintf(stderr, "stratatool: error: path '%s' does not exist, try --help\n", f.c_str());
      return 1;
    }
  }
  bool failed = false;
  RuleCheckResult rules;
  for (const auto& f : files) {
    std::printf("Checking %s\n", f.c_str());
    std::fflush(stdout);
    auto c = strata::server::load_config_file(f);
    absl::StatusOr<std::vector<std::string>> rule_files = std::vector<std::string>{};
    if (c.ok() && !syntax_only) rule_files = check_config_files(*c, opts);
    std::fflush(stdout);
    if (!c.ok() || !rule_files.ok()) {
      std::fprintf(stderr, "  FAILED: %s\n",
                   std::string((c.ok() ? rule_files.status() : c.status()).message()).c_str());
      failed = true;
      rule_files = std::vector<std::string>{};
    } else {
      if (!rule_files->empty()) std::printf("  SUCCESS: %zu rule files found\n", rule_files->size());
      std::printf(" SUCCESS: %s is valid prometheus config file syntax\n", f.c_str());
      for (const std::string& w : c->warnings) std::fprintf(stderr, "  WARNING: %s\n", w.c_str());
    }
    std::printf("\n");
    for (const auto& rf : *rule_files) check_rule_file(rf, opts, "     ", &rules);
  }
  return failed ? 1 : rules.exit_code(opts);
}

int check(int argc, char** argv) {
  if (argc >= 1 && !std::strcmp(argv[0], "config")) return check_config(argc - 1, argv + 1);
  if (argc >= 1 && !std::strcmp(argv[0], "rules")) return check_rules(argc - 1, argv + 1);
  if (argc >= 1 && !std::strcmp(argv[0], "metrics")) return check_metrics();
  if (argc >= 1 && !std::strcmp(argv[0], "web-config")) return check_web_config(argc - 1, argv + 1);
  std::fprintf(stderr, "stratatool check: expected \"config\", \"rules\", \"metrics\" or "
                       "\"web-config\" (see stratatool help)\n");
  return 2;
}

int test(int argc, char** argv) {
  if (argc < 1 || std::strcmp(argv[0], "rules")) {
    std::fprintf(stderr, "stratatool test: expected \"rules\" (see stratatool help)\n");
    return 2;
  }
  strata::ruletest::Options opts;
  std::vector<std::string> files;
  auto flag = [&](const std::string& a) { return compat_flag(a, &opts.compat); };
  if (!split_args(argc - 1, argv + 1, "test-rule-file", flag, &files)) return 1;
  return strata::ruletest::test_rules_main(files, opts);
}

// lint dashboard: flags take their value after `=` or as the next word.
int lint(int argc, char** argv) {
  if (argc < 1 || std::strcmp(argv[0], "dashboard")) {
    std::fprintf(stderr, "stratatool lint: expected \"dashboard\" (see stratatool help)\n");
    return 2;
  }
  strata::dashlint::MainOptions opts;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("-", 0) != 0) {
      files.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (size_t eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    auto take_value = [&]() {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    bool ok = true;
    if (name == "--strict" && !has_value) {
      opts.strict = true;
    } else if (name == "--url") {
      ok = take_value() && !value.empty();
      opts.url = value;
    } else if (name == "--format") {
      ok = take_value() && (value == "text" || value == "json");
      opts.json = value == "json";
    } else if (name == "--scrape-interval") {
      auto ms = take_value() ? strata::parse_duration(value) : absl::InvalidArgumentError("missing");
      ok = ms.ok() && *ms > 0;
      if (ok) opts.lint.scrape_interval_ms = *ms;
      opts.scrape_interval_given = true;
    } else if (name == "--datasource-uid") {
      ok = take_value() && !value.empty();
      opts.lint.datasource_uids.push_back(value);
    } else if (name == "--compat") {
      ok = take_value() && compat_flag("--compat=" + value, &opts.lint.parse.compat);
    } else if (name == "--enable-feature") {
      ok = take_value() && value == "promql-experimental-functions";
      opts.lint.parse.experimental_functions = true;
    } else {
      std::fprintf(stderr, "stratatool: error: unknown flag %s, try --help\n", a.c_str());
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "stratatool: error: invalid value for %s, try --help\n", name.c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "stratatool: error: required argument 'dashboard-files' not provided, try --help\n");
    return 2;
  }
  return strata::dashlint::lint_main(files, std::move(opts));
}

int healthcheck(int argc, char** argv) {
  std::string url = "http://localhost:9090";
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--url=", 0) == 0) {
      url = a.substr(6);
    } else {
      std::fprintf(stderr, "stratatool: error: unknown argument %s, try --help\n", a.c_str());
      return 2;
    }
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto client = strata::net::Client::create(strata::net::ClientOptions{.user_agent = "stratatool"});
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", std::string(client.status().message()).c_str());
    return 1;
  }
  strata::net::Request req;
  req.url = url + "/-/healthy";
  req.body_limit_bytes = 64 << 10;
  auto r = (*client)->send(req, std::chrono::steady_clock::now() + std::chrono::seconds(5));
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
    return 1;
  }
  if (r->status != 200) {
    std::fprintf(stderr, "%s: HTTP %d\n", req.url.c_str(), r->status);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "version")) {
    std::fputs(strata::server::version_text("stratatool").c_str(), stdout);
    return 0;
  }
  // `stratatool <command> ... --help`: the usage, which covers every command.
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  // Queries are parsed and evaluated on a thread with a server worker's stack,
  // so that nesting the server accepts is accepted here too.
  if (!std::strcmp(argv[1], "promqltest"))
    return strata::run_with_stack(strata::kQueryThreadStackBytes,
                                  [&] { return promqltest(argc - 2, argv + 2); });
  if (!std::strcmp(argv[1], "check")) return check(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "healthcheck")) return healthcheck(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "import")) return strata::tools::import_main(argc - 2, argv + 2);
  if (!std::strcmp(argv[1], "lint"))
    return strata::run_with_stack(strata::kQueryThreadStackBytes,
                                  [&] { return lint(argc - 2, argv + 2); });
  if (!std::strcmp(argv[1], "test"))
    return strata::run_with_stack(strata::kQueryThreadStackBytes,
                                  [&] { return test(argc - 2, argv + 2); });
  std::fprintf(stderr, "stratatool: unknown command \"%s\" (see stratatool help)\n", argv[1]);
  return 2;
}

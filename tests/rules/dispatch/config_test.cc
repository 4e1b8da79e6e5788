// The notifications config: a table of accepted and refused files (with the
// error each refusal must name), defaults and inheritance, matcher strings
// (table and generated round trips). Where Alertmanager has the same rule,
// the table's verdict is checked against the real `amtool check-config`
// (Debian's prometheus-alertmanager 0.25) when it is installed.
#include "rules/dispatch/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "tests/rules/dispatch/amtool.h"
#include "tests/testutil/temp_dir.h"
#include "tsdb/labels/labels.h"

namespace strata::rules::dispatch {
namespace {

constexpr char kHead[] = R"(
route:
  receiver: web
receivers:
- name: web
  webhook_configs:
  - url: http://127.0.0.1:1/hook
)";

// kSame: Alertmanager agrees; kStrataOnly: Alertmanager accepts it, Strata
// refuses a feature it does not implement (or is stricter).
enum class Oracle { kSame, kStrataOnly };

struct Case {
  const char* name;
  std::string yaml;
  const char* error;  // "" = accepted; otherwise a substring of the error
  Oracle oracle = Oracle::kSame;
};

std::vector<Case> cases() {
  return {
      {"minimal", kHead, ""},
      {"full", R"(
global:
  resolve_timeout: 1m
  smtp_from: strata@example.org
  smtp_smarthost: smtp.example.org:587
  smtp_hello: strata.example.org
  smtp_auth_username: u
  smtp_auth_password: p
  smtp_require_tls: false
  slack_api_url: https://hooks.slack.com/services/T/B/X
route:
  receiver: web
  group_by: [alertname, cluster]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 3h
  routes:
  - matchers: ['team="db"', 'severity=~"crit|page"']
    receiver: ops
    continue: true
    routes:
    - match: {env: prod}
      receiver: mail
  - match_re: {service: "api|web"}
    group_by: ['...']
receivers:
- name: web
  webhook_configs:
  - url: http://127.0.0.1:1/hook
    send_resolved: false
    max_alerts: 10
    http_config:
      basic_auth: {username: a, password: b}
      tls_config: {insecure_skip_verify: true}
- name: ops
  slack_configs:
  - channel: '#ops'
    title: Alert!
- name: mail
  email_configs:
  - to: 'ops@example.org, Dev <dev@example.org>'
    headers: {x-team: db}
)",
       ""},
      {"empty", "", "empty notifications config"},
      {"no route", "receivers: [{name: a}]\n", "no route provided"},
      {"root without receiver", "route: {}\nreceivers: [{name: a}]\n",
       "root route must specify a default receiver"},
      {"root with matchers",
       "route: {receiver: a, matchers: ['x=\"y\"']}\nreceivers: [{name: a}]\n",
       "root route must not have any matchers"},
      {"undefined receiver", "route: {receiver: b}\nreceivers: [{name: a}]\n",
       "route: undefined receiver \"b\" used in route"},
      {"undefined receiver in child",
       "route:\n  receiver: a\n  routes:\n  - receiver: b\nreceivers: [{name: a}]\n",
       "route.routes[0]: undefined receiver \"b\" used in route"},
      {"duplicate receiver", "route: {receiver: a}\nreceivers: [{name: a}, {name: a}]\n",
       "notification config name \"a\" is not unique"},
      {"receiver without name", "route: {receiver: a}\nreceivers: [{name: a}, {}]\n",
       "missing name in receiver"},
      {"unknown top-level key", std::string(kHead) + "bogus: 1\n", "field \"bogus\" is not known",
       Oracle::kSame},
      {"unknown route key", "route: {receiver: a, bogus: 1}\nreceivers: [{name: a}]\n",
       "route: field \"bogus\" is not known"},
      {"unknown webhook key",
       "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x/', urll: "
       "1}]}]\n",
       "receivers[0].webhook_configs[0]: field \"urll\" is not known"},
      {"inhibit rules",
       std::string(kHead) +
           "inhibit_rules:\n- source_matchers: ['severity=\"critical\"']\n"
           "  target_matchers: ['severity=\"warning\"']\n  equal: [cluster, alertname]\n"
           "- source_match: {a: b}\n  target_match_re: {c: 'd.*'}\n",
       ""},
      {"inhibit rule bad equal", std::string(kHead) + "inhibit_rules:\n- equal: ['1x']\n",
       "inhibit_rules[0]: equal: invalid label name"},
      {"inhibit rule unknown key", std::string(kHead) + "inhibit_rules:\n- sourcematchers: []\n",
       "inhibit_rules[0]: field \"sourcematchers\" is not known"},
      {"templates", std::string(kHead) + "templates: []\n", "\"templates\" is not supported",
       Oracle::kStrataOnly},
      {"pagerduty",
       "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{routing_key: x}]}]\n",
       "receivers[0]: \"pagerduty_configs\" is not supported", Oracle::kStrataOnly},
      {"mute time intervals",
       "route: {receiver: a, routes: [{mute_time_intervals: [x]}]}\nreceivers: [{name: a}]\n"
       "time_intervals: [{name: x}]\n",
       "not supported", Oracle::kStrataOnly},
      {"templated slack title",
       "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x/', title: "
       "'{{ .Status }}'}]}]\n",
       "title: templates are not supported", Oracle::kStrataOnly},
      {"webhook without url",
       "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{}]}]\n",
       "one of url or url_file must be configured"},
      {"webhook bad url",
       "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'ftp://x/'}]}]\n",
       "invalid URL"},
      {"slack without url", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{}]}]\n",
       "no global Slack API URL set"},
      {"email without to",
       "global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute: {receiver: a}\n"
       "receivers: [{name: a, email_configs: [{}]}]\n",
       "missing to address in email config"},
      {"email without smarthost",
       "global: {smtp_from: a@b}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: "
       "x@y}]}]\n",
       "no global SMTP smarthost set"},
      {"email without from",
       "global: {smtp_smarthost: 'h:25'}\nroute: {receiver: a}\nreceivers: [{name: a, "
       "email_configs: [{to: x@y}]}]\n",
       "no global SMTP from set"},
      {"email html",
       "global: {smtp_smarthost: 'h:25', smtp_from: a@b}\nroute: {receiver: a}\n"
       "receivers: [{name: a, email_configs: [{to: x@y, html: '<b/>'}]}]\n",
       "\"html\" is not supported", Oracle::kStrataOnly},
      {"zero group_interval", "route: {receiver: a, group_interval: 0s}\nreceivers: [{name: a}]\n",
       "group_interval cannot be zero"},
      {"zero repeat_interval",
       "route: {receiver: a, repeat_interval: 0s}\nreceivers: [{name: a}]\n",
       "repeat_interval cannot be zero"},
      {"bad duration", "route: {receiver: a, group_wait: 5x}\nreceivers: [{name: a}]\n",
       "group_wait: not a valid duration string"},
      {"wildcard and labels",
       "route: {receiver: a, group_by: ['...', x]}\nreceivers: [{name: a}]\n",
       "cannot have wildcard group_by"},
      {"duplicate group_by", "route: {receiver: a, group_by: [x, x]}\nreceivers: [{name: a}]\n",
       "duplicated label \"x\" in group_by"},
      {"bad matcher", "route: {receiver: a, routes: [{matchers: ['a']}]}\nreceivers: [{name: a}]\n",
       "route.routes[0].matchers: bad matcher format"},
      {"bad regex",
       "route: {receiver: a, routes: [{matchers: ['a=~\"(\"']}]}\nreceivers: [{name: a}]\n",
       "error parsing regexp"},
      {"bad bool", "route: {receiver: a, routes: [{continue: maybe}]}\nreceivers: [{name: a}]\n",
       "cannot parse \"maybe\" as a bool"},
      {"bad yaml", "route: [\n", "notifications config:"},
  };
}

TEST(DispatchConfigTest, Table) {
  testutil::TempDir dir("dispatch-config-");
  const bool have_amtool = amtool_available();
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    auto cfg = parse_config(c.yaml);
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(cfg.ok()) << cfg.status();
    } else {
      ASSERT_FALSE(cfg.ok());
      EXPECT_NE(std::string(cfg.status().message()).find(c.error), std::string::npos)
          << cfg.status();
    }
    if (!have_amtool || c.yaml.empty()) continue;
    const std::string path = dir.path() + "/am.yml";
    std::ofstream(path) << c.yaml;
    bool am_ok = amtool_check_config(path);
    bool want = c.oracle == Oracle::kSame ? cfg.ok() : true;
    EXPECT_EQ(am_ok, want) << "amtool check-config disagrees";
  }
}

TEST(DispatchConfigTest, DefaultsAndInheritance) {
  auto c = parse_config(R"(
global: {smtp_smarthost: 'mail:25', smtp_from: a@b, smtp_auth_username: u, smtp_require_tls: false}
route:
  receiver: a
  group_by: [alertname]
  group_wait: 10s
  routes:
  - receiver: b
    repeat_interval: 1h
    routes:
    - group_by: ['...']
receivers:
- name: a
  webhook_configs: [{url: 'http://h/'}]
  slack_configs: [{api_url: 'http://s/'}]
- name: b
  email_configs: [{to: x@y, require_tls: true}]
)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.resolve_timeout_ms, 5 * 60'000);
  const RouteConfig& root = c->route;
  EXPECT_EQ(root.group_wait_ms, 10'000);
  EXPECT_EQ(root.group_interval_ms, 5 * 60'000);
  EXPECT_EQ(root.repeat_interval_ms, 4 * 3'600'000);
  const RouteConfig& b = root.routes[0];
  EXPECT_EQ(b.receiver, "b");
  EXPECT_EQ(b.group_wait_ms, 10'000);
  EXPECT_EQ(b.repeat_interval_ms, 3'600'000);
  EXPECT_EQ(b.group_by, std::vector<std::string>{"alertname"});
  const RouteConfig& bb = b.routes[0];
  EXPECT_EQ(bb.receiver, "b");
  EXPECT_TRUE(bb.group_by_all);
  EXPECT_EQ(bb.repeat_interval_ms, 3'600'000);
  EXPECT_TRUE(c->receivers[0].webhooks[0].send_resolved);
  EXPECT_FALSE(c->receivers[0].slacks[0].send_resolved);
  EXPECT_EQ(c->receivers[0].slacks[0].username, "Alertmanager");
  const EmailConfig& e = c->receivers[1].emails[0];
  EXPECT_FALSE(e.send_resolved);
  EXPECT_TRUE(e.require_tls);
  EXPECT_EQ(e.smarthost, "mail:25");
  EXPECT_EQ(e.from, "a@b");
  EXPECT_EQ(e.hello, "localhost");
  EXPECT_EQ(e.auth_username, "u");
}

TEST(DispatchConfigTest, RelativeFilesResolveAgainstTheConfigDirectory) {
  auto c = parse_config(
      "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url_file: u.txt}]}]\n",
      "/etc/strata");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->receivers[0].webhooks[0].url_file, "/etc/strata/u.txt");
}

// Random edits of a valid file never crash the parser: each gives a config
// or an error status.
TEST(DispatchConfigTest, MutatedFilesGiveConfigOrError) {
  std::string base;
  for (const Case& c : cases()) {
    if (std::string(c.name) == "full") base = c.yaml;
  }
  ASSERT_FALSE(base.empty());
  std::mt19937 rng(5);
  const std::string alphabet = " :-[]{}'\"\n\t#&*!|>%@`,?=~.0aZ";
  int ok = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    auto c = parse_config(text);
    if (c.ok())
      ++ok;
    else
      EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << c.status();
  }
  EXPECT_GT(ok, 0);  // some edits keep the file valid (comments, spaces)
}

struct MatcherCase {
  const char* text;
  std::vector<std::string> want;  // Matcher::to_string() each; empty = error
};

TEST(DispatchMatchersTest, Table) {
  const std::vector<MatcherCase> table = {
      {"a=\"b\"", {"a=\"b\""}},
      {"a=b", {"a=\"b\""}},
      {"  a = b c ", {"a=\"b c\""}},
      {"a!=\"b\"", {"a!=\"b\""}},
      {"a=~\"x|y\"", {"a=~\"x|y\""}},
      {"a!~x.*", {"a!~\"x.*\""}},
      {"{a=\"b\", c=~\"d\"}", {"a=\"b\"", "c=~\"d\""}},
      {"a=\"\"", {"a=\"\""}},
      {"a=\"q\\\"uote\"", {"a=\"q\\\"uote\""}},
      {"a=\"comma,inside\"", {"a=\"comma,inside\""}},
      {"{}", {}},
      {"a!b", {}},
      {"=b", {}},
      {"1a=b", {}},
      {"a=\"unterminated", {}},
      {"a=\"b\" c=\"d\"", {}},
      {"", {}},
      {"{a=b", {}},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.text);
    auto m = parse_matchers(c.text);
    if (c.want.empty() && std::string(c.text) != "{}") {
      EXPECT_FALSE(m.ok());
      continue;
    }
    ASSERT_TRUE(m.ok()) << m.status();
    std::vector<std::string> got;
    for (const auto& x : *m) got.push_back(x.to_string());
    EXPECT_EQ(got, c.want);
  }
}

TEST(DispatchMatchersTest, RegexIsAnchoredAndDotStopsAtNewline) {
  auto m = parse_matchers("a=~\"b.*\"");
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE((*m)[0].matches("bcd"));
  EXPECT_FALSE((*m)[0].matches("abc"));
  EXPECT_FALSE((*m)[0].matches("b\nc"));
}

// Generated matchers printed in the quoted form parse back to themselves.
TEST(DispatchMatchersTest, GeneratedRoundTrip) {
  std::mt19937 rng(42);
  const char* ops[] = {"=", "!=", "=~", "!~"};
  const std::string alphabet = "ab_ 9\"\\,{}=!~xyz";
  for (int i = 0; i < 500; ++i) {
    std::string text;
    std::vector<std::string> want;
    int n = 1 + static_cast<int>(rng() % 3);
    for (int j = 0; j < n; ++j) {
      std::string name = "l" + std::to_string(rng() % 5);
      std::string value;
      int len = static_cast<int>(rng() % 6);
      bool regex = false;
      const char* op = ops[rng() % 4];
      regex = op[1] == '~';
      for (int k = 0; k < len; ++k) {
        char ch = alphabet[rng() % alphabet.size()];
        if (regex && std::string("\\{}\"").find(ch) != std::string::npos) ch = 'q';
        value.push_back(ch);
      }
      std::string quoted;
      for (char ch : value) {
        if (ch == '"' || ch == '\\') quoted.push_back('\\');
        quoted.push_back(ch);
      }
      if (j) text += rng() % 2 ? "," : " , ";
      text += name + op + "\"" + quoted + "\"";
      want.push_back(name + op + tsdb::go_quote(value));
    }
    if (rng() % 2) text = "{" + text + "}";
    SCOPED_TRACE(text);
    auto m = parse_matchers(text);
    ASSERT_TRUE(m.ok()) << m.status();
    std::vector<std::string> got;
    for (const auto& x : *m) got.push_back(x.to_string());
    EXPECT_EQ(got, want);
  }
}

}  // namespace
}  // namespace strata::rules::dispatch

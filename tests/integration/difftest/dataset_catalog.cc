// The metric catalogue of the difftest dataset: the metric names and labels
// the seed queries use (bots framework, PyAirtable services, Leaky Tokens
// JVM services, the deployment guide's custom metrics) plus what
// general.txt's idioms need (node exporter, build info, recording-rule
// outputs). Sample indices: 0 .. kSamples-1 (= 660); the "incident" is
// 420..450 (error rates x6, latency x2.5).
#include <cmath>

#include "tests/integration/difftest/dataset.h"

namespace strata::difftest {
namespace {

const std::vector<double> kHttpBuckets = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
const std::vector<double> kLlmBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60};
const std::vector<double> kToolBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
const std::vector<double> kBuildBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
const std::vector<double> kCostBuckets = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};

struct Model {
  const char* provider;
  const char* model;
  double calls_per_s;
  double latency_s;  // median response time
  double cost_usd;   // median cost per call
};
const Model kModels[] = {
    {"anthropic", "claude-3-5-sonnet-latest", 0.8, 2.1, 0.012},
    {"anthropic", "claude-3-5-haiku-latest", 0.5, 0.9, 0.002},
    {"openai", "gpt-4o", 0.6, 1.8, 0.010},
    {"openai", "gpt-4o-mini", 0.9, 0.7, 0.0008},
    {"google", "gemini-1.5-pro", 0.3, 2.6, 0.007},
    {"google", "gemini-2.0-flash", 0.4, 0.6, 0.0006},
};
const char* kTools[] = {"search_web", "read_file", "write_file", "run_python",
                        "fetch_url",  "list_directory", "sql_query", "send_email"};

int offset_of(const std::string& instance) {
  return int(hash_labels({{"instance", instance}}) % 1000);
}

void add_bots(DatasetBuilder* b) {
  Target t0{.job = "bots-framework", .instance = "bots-0:8889", .extra = {{"service", "bots"}}};
  t0.restarts = {300};
  Target t1 = t0;
  t1.instance = "bots-1:8889";
  t1.restarts = {};
  t1.down = {{380, 460}};
  for (const Target* t : {&t0, &t1}) {
    b->up(*t);
    for (const Model& m : kModels) {
      const LabelPairs pm = {{"provider", m.provider}, {"model", m.model}};
      auto with = [&pm](LabelPairs extra) {
        extra.insert(extra.end(), pm.begin(), pm.end());
        return extra;
      };
      const bool flaky = std::string(m.provider) == "openai";
      b->counter(*t, "bot_api_calls_total", with({{"status", "success"}}), m.calls_per_s * 0.93);
      b->counter(*t, "bot_api_calls_total", with({{"status", "error"}}), m.calls_per_s * 0.05,
                 flaky ? Shape::kIncident : Shape::kSteady);
      b->counter(*t, "bot_api_calls_total", with({{"status", "timeout"}}), m.calls_per_s * 0.02, Shape::kBursty);
      b->histogram(*t, "bot_response_time", with({{"success", "true"}}), kLlmBuckets, m.calls_per_s * 0.95,
                   m.latency_s, 0.6);
      b->histogram(*t, "bot_response_time", with({{"success", "false"}}), kLlmBuckets, m.calls_per_s * 0.05,
                   m.latency_s * 3, 0.8, flaky ? Shape::kIncident : Shape::kSteady);
      b->histogram(*t, "bot_api_call_duration", with({{"status", "success"}}), kLlmBuckets,
                   m.calls_per_s * 0.93, m.latency_s * 0.85, 0.5);
      b->histogram(*t, "bot_api_call_duration", with({{"status", "error"}}), kLlmBuckets, m.calls_per_s * 0.05,
                   m.latency_s * 0.4, 0.9, flaky ? Shape::kIncident : Shape::kSteady);
      b->histogram(*t, "bot_api_call_duration", with({{"status", "timeout"}}), kLlmBuckets,
                   m.calls_per_s * 0.02, 30, 0.1, Shape::kBursty);
      b->histogram(*t, "bot_message_building_duration", pm, kBuildBuckets, m.calls_per_s, 0.02, 0.7);
      b->histogram(*t, "bot_cost_usd", pm, kCostBuckets, m.calls_per_s, m.cost_usd, 0.9);
      b->counter(*t, "bot_tokens_used", with({{"token_type", "input"}}), m.calls_per_s * 1500);
      b->counter(*t, "bot_tokens_used", with({{"token_type", "output"}}), m.calls_per_s * 400);
      b->counter(*t, "bot_cost_total_usd", pm, m.calls_per_s * m.cost_usd * 1.3, Shape::kDiurnal, false);
      if (t == &t0) b->counter(*t, "bots_bot_api_calls_total", with({{"status", "success"}}), m.calls_per_s);
    }
    for (const char* provider : {"anthropic", "openai", "google"}) {
      for (const char* error : {"RateLimitError", "APITimeoutError", "APIConnectionError", "InternalServerError"}) {
        for (const char* op : {"respond", "api_call"}) {
          const bool incident = std::string(provider) == "openai" && std::string(error) == "RateLimitError";
          b->counter(*t, "bot_errors_total", {{"provider", provider}, {"error_type", error}, {"operation", op}},
                     0.01, incident ? Shape::kIncident : Shape::kBursty);
        }
      }
    }
    int k = 0;
    for (const char* tool : kTools) {
      const double rate = 0.05 + 0.05 * k++;
      const LabelPairs tl = {{"tool_name", tool}};
      b->counter(*t, "bot_tool_calls_total", {{"tool_name", tool}, {"success", "true"}}, rate * 0.9);
      b->counter(*t, "bot_tool_calls_total", {{"tool_name", tool}, {"success", "false"}}, rate * 0.1, Shape::kBursty);
      b->histogram(*t, "bot_tool_execution_duration", {{"tool_name", tool}, {"success", "true"}}, kToolBuckets,
                   rate * 0.9, 0.05 * k, 0.7);
      b->histogram(*t, "bot_tool_execution_duration", {{"tool_name", tool}, {"success", "false"}}, kToolBuckets,
                   rate * 0.1, 0.2 * k, 1.0, Shape::kBursty);
      for (const char* error : {"ValueError", "TimeoutError", "KeyError"})
        b->counter(*t, "bot_tool_failures_total", {{"tool_name", tool}, {"error_type", error}}, rate * 0.03,
                   Shape::kBursty);
    }
  }
  // Recording-rule outputs (003:1996-2003): no target labels, every 30 s.
  Target rules{.every = 2, .with_up = false};
  b->gauge(rules, "bots:cost_rate:5m", {}, [](int i, double u) { return 0.02 + 0.005 * std::sin(i / 40.0) + 0.001 * u; });
  b->gauge(rules, "bots:error_rate:5m", {}, [](int i, double u) { return (i >= 420 && i <= 450 ? 0.3 : 0.05) * (0.8 + 0.4 * u); });
  b->gauge(rules, "bots:success_rate:5m", {}, [](int i, double u) { return i >= 420 && i <= 450 ? 0.82 + 0.05 * u : 0.95 + 0.04 * u; });
}

struct Service {
  const char* job;
  int port;
  const char* endpoints[3];
  const char* methods[3];
};
const Service kServices[] = {
    {"api-gateway", 8000, {"/api/v1/chat", "/api/v1/records", "/health"}, {"POST", "GET", "GET"}},
    {"airtable-gateway", 8002, {"/records", "/bases", "/health"}, {"GET", "GET", "GET"}},
    {"llm-orchestrator", 8003, {"/chat", "/summarize", "/health"}, {"POST", "POST", "GET"}},
    {"mcp-server", 8001, {"/mcp", "/tools", "/health"}, {"POST", "GET", "GET"}},
    {"platform-services", 8007, {"/auth/login", "/users", "/health"}, {"POST", "GET", "GET"}},
    {"automation-services", 8006, {"/workflows", "/files", "/health"}, {"POST", "POST", "GET"}},
    {"saga-orchestrator", 8008, {"/sagas", "/compensate", "/health"}, {"POST", "POST", "GET"}},
    {"frontend", 3000, {"/", "/dashboard", "/api/health"}, {"GET", "GET", "GET"}},
};

// Lifecycle quirks of the PyAirtable instances (see dataset.h).
void shape_target(Target* t) {
  const std::string& in = t->instance;
  if (in == "api-gateway-0:8000") t->offset_ms = 0;
  if (in == "api-gateway-1:8000") t->restarts = {200};
  if (in == "airtable-gateway-1:8002") t->last = 500;  // scaled down: stale markers
  if (in == "llm-orchestrator-0:8003") t->down = {{250, 290}};
  if (in == "mcp-server-1:8001") t->first = 400;  // scaled up
  if (in == "frontend-0:3000") {  // vanished without stale markers
    t->last = 600;
    t->stale_after_last = false;
  }
  if (in == "platform-services-1:8007") t->missed = {101, 102, 103, 333, 517, 518, 519, 520};
  if (in == "automation-services-0:8006") t->jitter_ms = 25;
  if (in == "saga-orchestrator-1:8008") t->restarts = {150, 450};
}

void add_service_specific(DatasetBuilder* b, const Target& t) {
  const std::string job = t.job;
  if (job == "api-gateway") {
    b->counter(t, "api_gateway_rate_limit_hits_total", {}, 0.2, Shape::kIncident);
    // Label values that need escaping in JSON and in PromQL strings.
    for (const char* reason : {"bad_password", "expired_token", "line1\nline2", "quote\"back\\slash",
                               "ünïcødé 日本"})
      b->counter(t, "api_gateway_auth_failures_total", {{"reason", reason}}, 0.03, Shape::kBursty);
    for (const char* backend : {"airtable-gateway", "llm-orchestrator", "mcp-server", "platform-services",
                                "automation-services"})
      b->counter(t, "api_gateway_backend_requests_total", {{"backend", backend}}, 2.0);
    b->gauge(t, "api_gateway_active_connections", {}, [](int i, double u) { return std::floor(40 + 25 * std::sin(i / 50.0) + 10 * u); });
  } else if (job == "airtable-gateway") {
    for (const char* op : {"list_records", "get_record", "create_record", "update_record", "delete_record"})
      b->counter(t, "airtable_gateway_api_calls_total", {{"operation", op}}, 0.7);
    for (const char* ct : {"records", "schema"}) {
      b->counter(t, "airtable_gateway_cache_hits_total", {{"cache_type", ct}}, 3.0);
      b->counter(t, "airtable_gateway_cache_misses_total", {{"cache_type", ct}}, 0.6, Shape::kIncident);
    }
    for (const char* op : {"full_sync", "incremental_sync"})
      b->counter(t, "airtable_gateway_sync_operations_total", {{"operation", op}}, 0.02, Shape::kBursty);
    for (const char* base : {"appA1", "appB2", "appC3"})
      b->gauge(t, "airtable_gateway_rate_limit_remaining", {{"base_id", base}},
               [](int i, double u) { return double(100 - (i * 7 + int(u * 3)) % 101); });
    b->gauge(t, "cache_hit_rate", {}, [](int i, double u) {
      if (i >= 200 && i < 204) return normal_nan();
      return i >= 420 && i <= 450 ? 0.55 + 0.1 * u : 0.8 + 0.15 * u;
    });
  } else if (job == "llm-orchestrator") {
    for (const char* model : {"gemini-2.5-flash", "gemini-2.5-pro"}) {
      b->counter(t, "llm_orchestrator_requests_total", {{"model", model}}, 0.6);
      b->counter(t, "llm_orchestrator_input_tokens_total", {{"model", model}}, 900);
      for (const char* op : {"chat", "summarize", "embed"})
        b->counter(t, "llm_orchestrator_cost_usd_total", {{"model", model}, {"operation", op}}, 0.004,
                   Shape::kDiurnal, false);
    }
    for (const char* tool : {"list_records", "get_record", "create_record", "search"})
      b->counter(t, "llm_orchestrator_mcp_calls_total", {{"tool", tool}}, 0.3);
  } else if (job == "mcp-server") {
    for (const char* mt : {"initialize", "tools/list", "tools/call"})
      b->counter(t, "mcp_server_messages_total", {{"message_type", mt}}, 0.5);
    for (const char* tool : {"list_records", "get_record", "create_record", "search"})
      b->counter(t, "mcp_server_tool_calls_total", {{"tool", tool}}, 0.3);
    b->gauge(t, "mcp_server_active_connections", {}, [](int i, double u) { return std::floor(5 + 3 * u); });
    for (const char* et : {"invalid_request", "timeout"})
      b->counter(t, "mcp_server_errors_total", {{"error_type", et}}, 0.02, Shape::kBursty);
  } else if (job == "platform-services") {
    b->gauge(t, "platform_services_total_users", {}, [](int i, double) { return 1200.0 + i / 3; });
    b->counter(t, "platform_services_auth_success_total", {}, 0.4);
    for (const char* et : {"UserCreated", "UserUpdated", "SessionStarted"})
      b->counter(t, "platform_services_cqrs_events_published_total", {{"event_type", et}}, 0.2);
    b->counter(t, "platform_services_gdpr_data_export_requests_total", {}, 0.001, Shape::kBursty);
  } else if (job == "automation-services") {
    for (const char* wt : {"data_sync", "file_processing"})
      b->counter(t, "automation_services_workflow_executions_total", {{"workflow_type", wt}}, 0.1);
    for (const char* ft : {"pdf", "csv", "xlsx"})
      b->counter(t, "automation_services_file_uploads_total", {{"file_type", ft}}, 0.05, Shape::kBursty);
    for (const char* src : {"airtable", "github", "stripe"})
      b->counter(t, "automation_services_webhook_requests_total", {{"source", src}}, 0.3);
    for (const char* st : {"cron", "interval"})
      b->gauge(t, "automation_services_scheduled_tasks_registered", {{"schedule_type", st}},
               [](int i, double) { return double(12 + (i / 100)); });
    for (const char* q : {"files", "webhooks"})
      b->gauge(t, "queue_depth", {{"queue", q}}, [](int i, double u) {
        if (i == 555) return normal_nan();
        return std::floor((i >= 420 && i <= 460 ? 150 : 20) * u);
      });
  }
}

// Seconds since the epoch when the process of `t` (re)started at or before index i.
double start_time_s(const Target& t, int64_t start_ms, int i, int n) {
  double started = double(start_ms / 1000 - 86400 - 3600 * n);
  for (int r : t.restarts)
    if (i >= r) started = double((start_ms + r * kStepMs) / 1000);
  for (const auto& d : t.down)
    if (i >= d.second) started = double((start_ms + d.second * kStepMs) / 1000);
  if (t.first > 0) started = double((start_ms + t.first * kStepMs) / 1000);
  return started;
}

void add_process(DatasetBuilder* b, const Target& t, int64_t start_ms, int n) {
  b->up(t);
  b->counter(t, "process_cpu_seconds_total", {}, 0.05 + 0.1 * n, Shape::kDiurnal, false);
  b->gauge(t, "process_resident_memory_bytes", {}, [&t, start_ms, n](int i, double u) {
    const double age_s = double(start_ms + i * kStepMs) / 1000 - start_time_s(t, start_ms, i, n);
    return std::floor(1.5e8 + 50 * std::min(age_s, 2e6) + 3e6 * u);
  });
  b->gauge(t, "process_start_time_seconds", {},
           [&t, start_ms, n](int i, double) { return start_time_s(t, start_ms, i, n); });
}

void add_pyairtable(DatasetBuilder* b, int64_t start_ms) {
  for (const Service& s : kServices) {
    for (int n = 0; n < 2; ++n) {
      Target t{.job = s.job, .instance = std::string(s.job) + "-" + std::to_string(n) + ":" + std::to_string(s.port)};
      t.offset_ms = offset_of(t.instance);
      shape_target(&t);
      add_process(b, t, start_ms, n);
      // A rollout: api-gateway-1 restarts at 200 with a new version, the old
      // build_info series gets a stale marker.
      if (t.instance == "api-gateway-1:8000") {
        b->gauge(t, "app_build_info", {{"version", "1.4.2"}, {"commit", "9f1c2ab"}}, [](int, double) { return 1.0; },
                 Window{.last = 199});
        b->gauge(t, "app_build_info", {{"version", "1.5.0"}, {"commit", "c0ffee1"}}, [](int, double) { return 1.0; },
                 Window{.first = 200});
      } else {
        b->gauge(t, "app_build_info", {{"version", "1.4.2"}, {"commit", "9f1c2ab"}}, [](int, double) { return 1.0; });
      }
      const bool gateway = std::string(s.job) == "api-gateway";
      for (int e = 0; e < 3; ++e) {
        const double base = e == 2 ? 0.5 : 3.0 - e;
        const bool errors_spike = gateway || std::string(s.job) == "llm-orchestrator";
        const LabelPairs l = {{"method", s.methods[e]}, {"endpoint", s.endpoints[e]}};
        auto with = [&l](const char* status) {
          LabelPairs x = l;
          x.emplace_back("status", status);
          return x;
        };
        b->counter(t, "http_requests_total", with("200"), base);
        b->counter(t, "http_requests_total", with("404"), base * 0.02, Shape::kBursty);
        b->counter(t, "http_requests_total", with("500"), base * 0.01,
                   errors_spike ? Shape::kIncident : Shape::kBursty);
        if (gateway) b->counter(t, "http_requests_total", with("429"), base * 0.03, Shape::kIncident);
      }
      const std::string glitch = std::string(s.job) == "frontend" ? "0.5" : "";
      b->histogram(t, "http_request_duration_seconds", {}, kHttpBuckets, 4.0, 0.08 + 0.02 * n, 1.1,
                   Shape::kDiurnal, glitch);
      add_service_specific(b, t);
    }
  }
  // Chaos experiments (001:203-206).
  Target chaos{.job = "chaos-monkey", .instance = "chaos-0:9100"};
  b->up(chaos);
  for (const char* ex : {"pod-kill", "latency", "network-partition"})
    b->counter(chaos, "chaos_engineering_experiments_total", {{"experiment", ex}}, 0.003, Shape::kBursty);
  for (const char* svc : {"api-gateway", "airtable-gateway", "llm-orchestrator", "mcp-server"}) {
    const std::string s = svc;
    b->counter(chaos, "circuit_breaker_trips_total", {{"service", svc}}, 0.01, Shape::kBursty);
    b->gauge(chaos, "recovery_time_seconds", {{"service", svc}}, [s](int i, double u) {
      if (s == "airtable-gateway" && i >= 320 && i < 330) return normal_nan();
      if (s == "airtable-gateway" && i == 400) return HUGE_VAL;
      if (s == "mcp-server" && i == 401) return -HUGE_VAL;
      return 2 + 10 * u;
    });
    if (s == "llm-orchestrator") {
      // A counter with one NaN sample (a broken exporter).
      b->gauge(chaos, "failover_events_total", {{"service", svc}},
               [](int i, double) { return i == 350 ? normal_nan() : double(3 + i / 90); });
    } else {
      b->counter(chaos, "failover_events_total", {{"service", svc}}, 0.002, Shape::kBursty);
    }
  }
}

// node_exporter on two hosts: CPU, memory, filesystems (one filling up).
void add_node(DatasetBuilder* b) {
  for (const char* host : {"node-a:9100", "node-b:9100"}) {
    Target t{.job = "node", .instance = host};
    t.offset_ms = std::string(host) == "node-a:9100" ? 0 : 537;
    b->up(t);
    for (const char* cpu : {"0", "1"}) {
      b->counter(t, "node_cpu_seconds_total", {{"cpu", cpu}, {"mode", "idle"}}, 0.7, Shape::kSteady, false);
      b->counter(t, "node_cpu_seconds_total", {{"cpu", cpu}, {"mode", "user"}}, 0.2, Shape::kDiurnal, false);
      b->counter(t, "node_cpu_seconds_total", {{"cpu", cpu}, {"mode", "system"}}, 0.08, Shape::kSteady, false);
      b->counter(t, "node_cpu_seconds_total", {{"cpu", cpu}, {"mode", "iowait"}}, 0.02, Shape::kBursty, false);
    }
    const double total = 16.0 * (1 << 30);
    b->gauge(t, "node_memory_MemTotal_bytes", {}, [total](int, double) { return total; });
    b->gauge(t, "node_memory_MemAvailable_bytes", {},
             [total](int i, double u) { return std::floor(total * (0.45 + 0.1 * std::sin(i / 70.0) + 0.02 * u)); });
    const bool filling = std::string(host) == "node-b:9100";
    const double root = 50.0 * (1 << 30), data = 500.0 * (1 << 30);
    const LabelPairs root_l = {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}};
    const LabelPairs data_l = {{"device", "/dev/sdb1"}, {"fstype", "xfs"}, {"mountpoint", "/data"}};
    b->gauge(t, "node_filesystem_size_bytes", root_l, [root](int, double) { return root; });
    b->gauge(t, "node_filesystem_size_bytes", data_l, [data](int, double) { return data; });
    b->gauge(t, "node_filesystem_avail_bytes", root_l,
             [root](int i, double u) { return std::floor(root * 0.6 - 1e5 * i + 4e6 * u); });
    b->gauge(t, "node_filesystem_avail_bytes", data_l, [data, filling](int i, double u) {
      return std::floor(filling ? data * 0.08 - 6.0e7 * i + 1e7 * u : data * 0.7 + 1e6 * u);
    });
    b->gauge(t, "node_load1", {}, [](int i, double u) { return 0.5 + 1.5 * u + (i >= 420 && i <= 450 ? 3 : 0); });
  }
}

// Leaky Tokens (002): Spring Boot services with Micrometer JVM metrics.
void add_leaky_tokens(DatasetBuilder* b, int64_t start_ms) {
  int n = 0;
  for (const char* svc : {"token-service", "gateway", "auth-service", "analytics-service"}) {
    Target t{.job = svc, .instance = std::string(svc) + ":8080"};
    t.offset_ms = offset_of(t.instance);
    if (t.job == "token-service") t.restarts = {480};
    add_process(b, t, start_ms, n++);
    const std::string job = svc;
    if (job == "token-service") {
      for (const char* outcome : {"allowed", "denied", "rate_limited", "provider_failure"}) {
        for (const char* provider : {"openai", "qwen", "gemini"}) {
          for (int u = 1; u <= 8; ++u) {
            const std::string o = outcome;
            const double rate = o == "allowed" ? 2.0 / u : 0.05 / u;
            b->counter(t, "token_consume_total",
                       {{"outcome", outcome}, {"provider", provider}, {"userId", "user-" + std::to_string(u)}},
                       rate, o == "rate_limited" ? Shape::kIncident : Shape::kDiurnal);
          }
        }
      }
      for (const char* r : {"hit", "miss"}) b->counter(t, "token_quota_lookup_total", {{"result", r}}, 1.0);
    } else if (job == "gateway") {
      b->counter(t, "gateway_api_key_validation_total", {{"outcome", "success"}}, 5.0);
      b->counter(t, "gateway_api_key_validation_total", {{"outcome", "failure"}}, 0.1, Shape::kIncident);
      b->counter(t, "gateway_api_key_validation_total", {{"outcome", "expired"}}, 0.02, Shape::kBursty);
      b->counter(t, "gateway_api_key_cache_total", {{"outcome", "hit"}}, 4.5);
      b->counter(t, "gateway_api_key_cache_total", {{"outcome", "miss"}}, 0.5);
      b->counter(t, "gateway_rate_limit_total", {{"outcome", "allowed"}}, 5.0);
      b->counter(t, "gateway_rate_limit_total", {{"outcome", "blocked"}}, 0.05, Shape::kIncident);
    } else if (job == "auth-service") {
      for (const char* o : {"success", "failure"}) {
        b->counter(t, "auth_login_total", {{"outcome", o}}, o[0] == 's' ? 0.3 : 0.03);
        b->counter(t, "auth_register_total", {{"outcome", o}}, o[0] == 's' ? 0.05 : 0.005, Shape::kBursty);
      }
      b->counter(t, "auth_api_key_created_total", {}, 0.01, Shape::kBursty);
    } else {
      for (const char* ty : {"usage", "billing"})
        b->counter(t, "analytics_events_processed_total", {{"type", ty}}, 1.5);
    }
    struct Pool {
      const char* area;
      const char* id;
      double max;
      double used;
    };
    const Pool pools[] = {{"heap", "G1 Eden Space", -1, 1.2e8},       {"heap", "G1 Old Gen", 2147483648.0, 6e8},
                          {"heap", "G1 Survivor Space", -1, 1.5e7},   {"nonheap", "Metaspace", -1, 9e7},
                          {"nonheap", "CodeCache", 251658240, 3.5e7}, {"nonheap", "Compressed Class Space", 1073741824, 1.1e7}};
    for (const Pool& p : pools) {
      const LabelPairs l = {{"area", p.area}, {"id", p.id}};
      const double used = p.used, mx = p.max;
      b->gauge(t, "jvm_memory_used_bytes", l,
               [used](int i, double u) { return std::floor(used * (0.6 + 0.4 * ((i % 40) / 40.0)) + 1e5 * u); });
      b->gauge(t, "jvm_memory_max_bytes", l, [mx](int, double) { return mx; });
    }
    const LabelPairs minor = {{"action", "end of minor GC"}, {"cause", "G1 Evacuation Pause"}};
    const LabelPairs major = {{"action", "end of major GC"}, {"cause", "Metadata GC Threshold"}};
    b->counter(t, "jvm_gc_pause_seconds_count", minor, 0.2);
    b->counter(t, "jvm_gc_pause_seconds_sum", minor, 0.2 * 0.012, Shape::kDiurnal, false);
    b->counter(t, "jvm_gc_pause_seconds_count", major, 0.002, Shape::kBursty);
    b->counter(t, "jvm_gc_pause_seconds_sum", major, 0.002 * 0.3, Shape::kBursty, false);
    b->gauge(t, "jvm_gc_pause_seconds_max", minor, [](int, double u) { return 0.005 + 0.02 * u; });
    b->gauge(t, "jvm_gc_pause_seconds_max", major, [](int, double u) { return u < 0.9 ? 0 : 0.3 * u; });
    b->gauge(t, "jvm_threads_live_threads", {}, [](int i, double u) { return std::floor(40 + 10 * u); });
    b->gauge(t, "jdbc_connections_active", {}, [](int i, double u) { return std::floor(10 * u); });
    b->gauge(t, "jdbc_connections_max", {}, [](int, double) { return 10.0; });
    b->gauge(t, "system_cpu_usage", {}, [](int i, double u) { return 0.1 + 0.3 * u; });
    b->gauge(t, "system_load_average_1m", {}, [](int i, double u) { return 0.2 + 2 * u; });
  }
}

// 004: the deployment guide's example application metrics.
void add_app(DatasetBuilder* b) {
  Target t{.job = "pyairtable-app", .instance = "app:8000"};
  b->up(t);
  b->counter(t, "http_requests_total", {{"method", "GET"}, {"endpoint", "/api/bases"}, {"status", "200"}}, 1.0);
  b->counter(t, "http_requests_total", {{"method", "POST"}, {"endpoint", "/api/chat"}, {"status", "200"}}, 0.5);
  b->counter(t, "http_requests_total", {{"method", "POST"}, {"endpoint", "/api/chat"}, {"status", "500"}}, 0.02,
             Shape::kIncident);
  for (const char* model : {"gpt-4o", "claude-3-5-sonnet"}) {
    b->counter(t, "ai_api_cost_total", {{"model", model}, {"service", "llm-orchestrator"}}, 0.003,
               Shape::kDiurnal, false);
    b->counter(t, "ai_tokens_used_total", {{"type", "input"}, {"model", model}}, 300);
    b->counter(t, "ai_tokens_used_total", {{"type", "output"}, {"model", model}}, 90);
  }
  b->counter(t, "user_sessions_total", {}, 0.05);
  for (const char* ty : {"data_sync", "file_processing"})
    for (const char* st : {"success", "failed"})
      b->counter(t, "workflow_executions_total", {{"type", ty}, {"status", st}}, st[0] == 's' ? 0.1 : 0.01,
                 Shape::kBursty);
  b->counter(t, "your_custom_metric", {}, 0.5, Shape::kIncident, false);
  b->gauge(t, "threshold", {}, [](int i, double) { return 0.5 + 0.3 * std::sin(i / 30.0); });
}

}  // namespace

void add_catalog(DatasetBuilder* b, int64_t start_ms) {
  add_bots(b);
  add_pyairtable(b, start_ms);
  add_node(b);
  add_leaky_tokens(b, start_ms);
  add_app(b);
}

}  // namespace strata::difftest

#!/usr/bin/python3
"""A stand-in for the services the dashboards and rules in deploy/ watch.

It serves, in Prometheus' text format, the metric names and labels of four
kinds of service, with values that move like real traffic (counters grow at
a steady rate with noise, histograms observe log-normal latencies, gauges
wander inside a range), so that every dashboard in deploy/dashboards has
data and the rules in deploy/rules evaluate on something:

  /metrics/llm-bot                 an LLM chat bot (bot_*)
  /metrics/batch-worker            a batch token-processing worker (batch_*)
  /metrics/<pyairtable service>    api-gateway, airtable-gateway, llm-orchestrator,
                                   mcp-server, platform-services, automation-services
                                   (FastAPI + prometheus_client names)
  /metrics/<spring service>        gateway-service, auth-service, token-service
                                   (Spring Boot + Micrometer names)
  /metrics/cadvisor                the platform's containers as cAdvisor reports them
                                   (container_memory_working_set_bytes{name}, ...)
  /metrics                         the stand-in's own metrics, among them the
                                   Alertmanager notifications it received
  POST /alerts                     an Alertmanager webhook receiver (counts alerts)

Each path is meant to be scraped as its own job named like the path
(deploy/compose/strata.yml does that), which is where the dashboards' `job`
label comes from. Only the standard library is used.

usage: demo_service.py [--listen 0.0.0.0:8000] [--seed N]
"""
import argparse
import json
import math
import random
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
COST_BUCKETS = (0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0)
MAX_BODY = 1 << 20  # webhook payloads larger than this are refused


def combos(*parts):
    """The label sets of a family: each part is a dict of label -> values
    (their product) or a list of dicts (correlated values, e.g. provider and
    model); the result is the product of the parts."""
    sets = [{}]
    for part in parts:
        if isinstance(part, dict):
            for name, values in part.items():
                sets = [dict(s, **{name: v}) for s in sets for v in values]
        else:
            sets = [dict(s, **choice) for s in sets for choice in part]
    return sets


class Family:
    """One metric family: a type, a help text and its series' state."""

    def __init__(self, rng, kind, name, help_text, label_sets, **kw):
        self.kind, self.name, self.help = kind, name, help_text
        self.rng = rng
        self.series = []
        for labels in label_sets or [{}]:
            # Each series gets its own weight so rates differ between label values.
            weight = rng.uniform(0.2, 1.0) * kw.get("weight", lambda l: 1.0)(labels)
            self.series.append({"labels": labels, "weight": weight, "value": 0.0,
                                "sum": 0.0, "count": 0, "buckets": [0] * len(kw.get("buckets", ())),
                                "level": rng.uniform(kw.get("lo", 0), kw.get("hi", 1))})
        self.rate = kw.get("rate", 1.0)          # events per second, whole family
        self.lo, self.hi = kw.get("lo", 0.0), kw.get("hi", 1.0)
        self.integer = kw.get("integer", False)
        self.buckets = kw.get("buckets", ())
        self.median = kw.get("median", 0.1)      # histogram/summary observations
        self.spread = kw.get("spread", 0.6)
        self.amount = kw.get("amount", None)     # counter increment per event (default 1)
        self.fixed = kw.get("fixed", None)       # gauge with a fixed value per labels

    def advance(self, dt):
        total = sum(s["weight"] for s in self.series) or 1.0
        for s in self.series:
            mean = self.rate * dt * s["weight"] / total
            if self.kind == "counter":
                events = self._events(mean)
                if self.amount is None:
                    s["value"] += events
                else:
                    s["value"] += sum(self.amount(self.rng) for _ in range(min(events, 200)))
            elif self.kind in ("histogram", "summary"):
                for _ in range(min(self._events(mean), 500)):
                    v = self.rng.lognormvariate(math.log(self.median), self.spread)
                    s["sum"] += v
                    s["count"] += 1
                    for i, le in enumerate(self.buckets):
                        if v <= le:
                            s["buckets"][i] += 1
            else:  # gauge: a bounded random walk
                if self.fixed is not None:
                    s["level"] = self.fixed(s["labels"])
                else:
                    step = (self.hi - self.lo) * 0.05 * self.rng.uniform(-1, 1)
                    s["level"] = min(self.hi, max(self.lo, s["level"] + step))

    def _events(self, mean):
        # Poisson-like: the mean with noise, never negative.
        if mean <= 0:
            return 0
        return max(0, int(round(self.rng.gauss(mean, math.sqrt(mean)))))

    def render(self, out):
        out.append("# HELP %s %s" % (self.name, self.help))
        out.append("# TYPE %s %s" % (self.name, self.kind))
        for s in self.series:
            labels = s["labels"]
            if self.kind == "counter":
                out.append("%s%s %s" % (self.name, fmt_labels(labels), fmt_value(s["value"])))
            elif self.kind == "gauge":
                v = round(s["level"]) if self.integer else s["level"]
                out.append("%s%s %s" % (self.name, fmt_labels(labels), fmt_value(v)))
            else:
                if self.kind == "histogram":
                    for le, n in zip(self.buckets, s["buckets"]):
                        out.append("%s_bucket%s %d" % (self.name, fmt_labels(dict(labels, le=fmt_value(le))), n))
                    out.append("%s_bucket%s %d" % (self.name, fmt_labels(dict(labels, le="+Inf")), s["count"]))
                out.append("%s_sum%s %s" % (self.name, fmt_labels(labels), fmt_value(s["sum"])))
                out.append("%s_count%s %d" % (self.name, fmt_labels(labels), s["count"]))


def fmt_labels(labels):
    if not labels:
        return ""
    esc = lambda v: str(v).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return "{" + ",".join('%s="%s"' % (k, esc(v)) for k, v in labels.items()) + "}"


def fmt_value(v):
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


# --- the catalogue ----------------------------------------------------------

PROVIDERS = [{"provider": "openai", "model": "gpt-4o"}, {"provider": "openai", "model": "gpt-4o-mini"},
             {"provider": "anthropic", "model": "claude-3-5-sonnet"},
             {"provider": "anthropic", "model": "claude-3-haiku"}, {"provider": "google", "model": "gemini-1.5-pro"}]
TOOLS = {"tool_name": ["web_search", "calculator", "code_interpreter", "database_query", "send_email"]}
FAIL_HEAVY = lambda l: 0.05 if l.get("status") in ("error", "timeout") or l.get("success") == "false" else 1.0


def llm_bot(f):
    f("counter", "bot_api_calls_total", "LLM API calls.",
      combos(PROVIDERS, {"status": ["success", "error", "timeout"]}), rate=4, weight=FAIL_HEAVY)
    f("histogram", "bot_api_call_duration", "Time spent in LLM API calls (s).",
      combos(PROVIDERS), rate=4, buckets=LLM_BUCKETS, median=1.2)
    f("histogram", "bot_response_time", "Total time of one bot response (s).",
      combos(PROVIDERS, {"success": ["true", "false"]}), rate=3, buckets=LLM_BUCKETS, median=2.0,
      weight=FAIL_HEAVY)
    f("histogram", "bot_message_building_duration", "Time building the prompt (s).",
      combos(PROVIDERS), rate=3, buckets=DEFAULT_BUCKETS, median=0.02)
    f("counter", "bot_cost_total_usd", "Cumulative cost in US dollars.", combos(PROVIDERS),
      rate=4, amount=lambda r: r.uniform(0.0005, 0.02))
    f("histogram", "bot_cost_usd", "Cost of one API call in US dollars.",
      combos(PROVIDERS, {"operation": ["chat", "summarize", "classify"]}), rate=4, buckets=COST_BUCKETS,
      median=0.004, spread=1.0)
    f("counter", "bot_tokens_used", "Tokens used.", combos(PROVIDERS, {"token_type": ["input", "output"]}),
      rate=4, amount=lambda r: r.randint(50, 1500))
    f("counter", "bot_tool_calls_total", "Tool executions.", combos(TOOLS, {"success": ["true", "false"]}),
      rate=2, weight=FAIL_HEAVY)
    f("histogram", "bot_tool_execution_duration", "Time executing one tool (s).",
      combos(TOOLS, {"success": ["true", "false"]}), rate=2, buckets=DEFAULT_BUCKETS, median=0.3,
      weight=FAIL_HEAVY)
    f("counter", "bot_tool_failures_total", "Failed tool executions.",
      combos(TOOLS, {"error_type": ["TimeoutError", "ValueError"]}), rate=0.05)
    f("counter", "bot_errors_total", "Errors by exception class.",
      combos([{"provider": p} for p in ("openai", "anthropic", "google")],
             {"error_type": ["RateLimitError", "APITimeoutError"], "operation": ["chat", "tool_call"]}),
      rate=0.05)


BATCH_OPS = {"operation": ["embed_tokens", "summarize", "classify", "translate"]}


def batch_worker(f):
    f("counter", "batch_operations_total", "Batch operations finished.", combos(BATCH_OPS), rate=2)
    f("counter", "batch_errors_total", "Failed batch operations.",
      combos(BATCH_OPS, {"error_type": ["rate_limit", "timeout", "invalid_input"]}), rate=0.04)
    f("counter", "batch_rate_limit_errors_total", "HTTP 429 responses received.", combos(BATCH_OPS), rate=0.003)
    f("histogram", "batch_duration_seconds", "Wall time of one batch operation.", combos(BATCH_OPS),
      rate=2, buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120), median=4)
    f("counter", "batch_items_processed_total", "Items processed.", combos(BATCH_OPS), rate=2,
      amount=lambda r: r.randint(10, 100))
    f("counter", "batch_tokens_processed_total", "Tokens processed.", combos(BATCH_OPS), rate=2,
      amount=lambda r: r.randint(1000, 20000))
    f("summary", "batch_retry_after_seconds", "Retry-After received with 429s.", combos(BATCH_OPS),
      rate=0.003, median=20, spread=0.4)


def python_service(endpoints):
    def build(f):
        f("counter", "http_requests_total", "Total HTTP requests.",
          combos({"method": ["GET", "POST"], "endpoint": endpoints, "status": ["200", "201", "400", "404", "500"]}),
          rate=20, weight=lambda l: {"200": 1.0, "201": 0.3, "400": 0.02, "404": 0.01, "500": 0.003}[l["status"]])
        f("histogram", "http_request_duration_seconds", "HTTP request latency.",
          combos({"method": ["GET", "POST"], "endpoint": endpoints}), rate=20, buckets=DEFAULT_BUCKETS, median=0.06)
        f("counter", "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", None,
          rate=1, amount=lambda r: r.uniform(0.05, 0.3))
        f("gauge", "process_resident_memory_bytes", "Resident memory size in bytes.", None,
          lo=90e6, hi=260e6, integer=True)
        f("gauge", "process_open_fds", "Number of open file descriptors.", None, lo=20, hi=80, integer=True)
        f("counter", "circuit_breaker_trips_total", "Circuit breaker trips.", None, rate=0.002)
        f("counter", "chaos_engineering_experiments_total", "Chaos experiments run.", None, rate=0.001)
        f("counter", "failover_events_total", "Failovers to a standby.", None, rate=0.0005)
        f("gauge", "recovery_time_seconds", "Time the last chaos experiment took to recover.", None,
          lo=2, hi=45)
    return build


def pyairtable_extras(service):
    def api_gateway(f):
        f("counter", "api_gateway_auth_failures_total", "Authentication failures.",
          combos({"reason": ["invalid_key", "expired_token", "missing_header"]}), rate=0.2)
        f("counter", "api_gateway_rate_limit_hits_total", "Requests refused by the rate limit.", None, rate=0.1)
        f("counter", "api_gateway_backend_requests_total", "Requests routed to a backend.",
          combos({"backend": ["airtable-gateway", "llm-orchestrator", "mcp-server", "platform-services",
                              "automation-services"]}), rate=20)
        f("gauge", "api_gateway_active_connections", "Open client connections.", None, lo=5, hi=120, integer=True)

    def airtable_gateway(f):
        caches = {"cache_type": ["records", "schema"]}
        f("counter", "airtable_gateway_cache_hits_total", "Cache hits.", combos(caches), rate=15)
        f("counter", "airtable_gateway_cache_misses_total", "Cache misses.", combos(caches), rate=2)
        f("counter", "airtable_gateway_cache_evictions_total", "Cache evictions.", combos(caches), rate=0.5)
        ops = {"operation": ["list_records", "get_record", "create_record", "update_record"]}
        f("counter", "airtable_gateway_api_calls_total", "Airtable API calls.", combos(ops), rate=5)
        f("histogram", "airtable_gateway_api_call_duration_seconds", "Airtable API call latency.", combos(ops),
          rate=5, buckets=DEFAULT_BUCKETS, median=0.25)
        f("counter", "airtable_gateway_api_errors_total", "Airtable API errors.",
          combos({"error_type": ["4xx", "5xx", "timeout"]}), rate=0.05)
        f("gauge", "airtable_gateway_queue_depth", "Calls waiting for the rate limit.", None, lo=0, hi=40, integer=True)
        bases = {"base_id": ["appCRM01", "appOps02", "appHR03"]}
        f("gauge", "airtable_gateway_rate_limit_remaining", "Requests left in the window.", combos(bases),
          lo=0, hi=5, integer=True)
        f("gauge", "airtable_gateway_sync_lag_seconds", "Seconds behind Airtable.", combos(bases), lo=1, hi=90)
        f("counter", "airtable_gateway_sync_operations_total", "Sync operations.",
          combos({"operation": ["full", "incremental"], "status": ["success", "failure"]}), rate=0.5,
          weight=lambda l: 0.05 if l["status"] == "failure" else 1.0)
        f("gauge", "airtable_gateway_connection_pool_size", "Connection pool size.", None, fixed=lambda l: 20)
        f("gauge", "airtable_gateway_connection_pool_active", "Connections in use.", None, lo=1, hi=18, integer=True)

    def llm_orchestrator(f):
        models = {"model": ["claude-3-5-sonnet", "gemini-1.5-pro", "gpt-4o-mini"]}
        f("counter", "llm_orchestrator_requests_total", "LLM requests.", combos(models), rate=2)
        f("counter", "llm_orchestrator_errors_total", "Failed LLM requests.", combos(models), rate=0.02)
        f("histogram", "llm_orchestrator_request_duration_seconds", "LLM request latency.", combos(models),
          rate=2, buckets=LLM_BUCKETS, median=2.5)
        for name, lo, hi in (("input", 200, 3000), ("output", 50, 1200), ("thinking", 0, 2000),
                             ("thinking_budget", 2000, 2000)):
            f("counter", "llm_orchestrator_%s_tokens_total" % name, "Tokens (%s)." % name, combos(models),
              rate=2, amount=lambda r, lo=lo, hi=hi: r.randint(lo, hi))
        f("counter", "llm_orchestrator_cost_usd_total", "Cost in US dollars.",
          combos(models, {"operation": ["chat", "table_analysis", "formula_help"]}), rate=2,
          amount=lambda r: r.uniform(0.001, 0.03))
        f("counter", "llm_orchestrator_mcp_calls_total", "MCP tool calls.",
          combos({"tool": ["list_tables", "query_records", "create_record"]}), rate=1)

    def mcp_server(f):
        f("gauge", "mcp_server_active_connections", "Open connections.",
          combos({"transport": ["stdio", "http", "sse"]}), lo=0, hi=20, integer=True)
        f("gauge", "mcp_server_active_sessions", "Active sessions.", None, lo=1, hi=30, integer=True)
        f("gauge", "mcp_server_tools_registered", "Tools registered.", None, fixed=lambda l: 14)
        f("gauge", "mcp_server_message_queue_depth", "Messages waiting.", None, lo=0, hi=25, integer=True)
        f("counter", "mcp_server_messages_total", "Protocol messages.",
          combos({"message_type": ["request", "response", "notification"]}), rate=6)
        tools = {"tool": ["list_tables", "query_records", "create_record", "update_record"]}
        f("counter", "mcp_server_tool_calls_total", "Tool calls.", combos(tools), rate=1)
        f("histogram", "mcp_server_tool_duration_seconds", "Tool execution time.", combos(tools), rate=1,
          buckets=DEFAULT_BUCKETS, median=0.2)
        f("counter", "mcp_server_errors_total", "Protocol errors.",
          combos({"error_type": ["parse_error", "method_not_found", "internal_error"]}), rate=0.02)

    def platform_services(f):
        f("gauge", "platform_services_total_users", "Registered users.", None, lo=1200, hi=1300, integer=True)
        f("gauge", "platform_services_active_sessions", "Active sessions.", None, lo=40, hi=200, integer=True)
        f("counter", "platform_services_auth_success_total", "Successful logins.", None, rate=0.5)
        f("counter", "platform_services_auth_failures_total", "Failed logins.", None, rate=0.02)
        f("counter", "platform_services_user_operations_total", "User management operations.",
          combos({"operation": ["create", "update", "delete"]}), rate=0.2)
        f("counter", "platform_services_gdpr_data_export_requests_total", "GDPR exports.", None, rate=0.001)
        f("counter", "platform_services_gdpr_data_deletion_requests_total", "GDPR deletions.", None, rate=0.0005)
        f("gauge", "platform_services_db_connections_max", "Pool maximum.", None, fixed=lambda l: 20)
        f("gauge", "platform_services_db_connections_active", "Connections in use.", None, lo=1, hi=15, integer=True)
        f("gauge", "platform_services_db_connections_idle", "Idle connections.", None, lo=1, hi=5, integer=True)
        f("counter", "platform_services_cqrs_events_published_total", "Events published.",
          combos({"event_type": ["UserCreated", "UserUpdated", "SessionStarted"]}), rate=1)
        f("gauge", "platform_services_cqrs_projection_lag_seconds", "Projection lag.",
          combos({"projection": ["users", "sessions"]}), lo=0, hi=3)

    def automation_services(f):
        f("gauge", "automation_services_active_workflows", "Workflows running.", None, lo=0, hi=12, integer=True)
        f("gauge", "automation_services_file_queue_depth", "Files waiting.", None, lo=0, hi=30, integer=True)
        sched = {"schedule_type": ["cron", "interval"]}
        f("gauge", "automation_services_scheduled_tasks_registered", "Scheduled tasks.", combos(sched),
          fixed=lambda l: 7 if l["schedule_type"] == "cron" else 3)
        f("counter", "automation_services_scheduled_task_runs_total", "Scheduled task runs.",
          combos(sched, {"status": ["success", "failure"]}), rate=0.2,
          weight=lambda l: 0.05 if l["status"] == "failure" else 1.0)
        f("counter", "automation_services_webhook_requests_total", "Incoming webhooks.",
          combos({"source": ["airtable", "github", "stripe"], "status": ["success", "failure"]}), rate=1,
          weight=lambda l: 0.03 if l["status"] == "failure" else 1.0)
        f("counter", "automation_services_file_uploads_total", "Uploaded files.",
          combos({"file_type": ["csv", "xlsx", "pdf"]}), rate=0.3)
        f("counter", "automation_services_workflow_executions_total", "Workflow executions.",
          combos({"workflow_type": ["import", "export", "notify"], "status": ["success", "failure"]}), rate=0.5,
          weight=lambda l: 0.04 if l["status"] == "failure" else 1.0)
        f("histogram", "automation_services_workflow_duration_seconds", "Workflow run time.", None, rate=0.5,
          buckets=(0.5, 1, 2.5, 5, 10, 30, 60), median=3)
        f("gauge", "automation_services_workers_total", "Workers.", None, fixed=lambda l: 8)
        f("gauge", "automation_services_workers_busy", "Busy workers.", None, lo=0, hi=8, integer=True)

    return {"api-gateway": api_gateway, "airtable-gateway": airtable_gateway, "llm-orchestrator": llm_orchestrator,
            "mcp-server": mcp_server, "platform-services": platform_services,
            "automation-services": automation_services}[service]


PYAIRTABLE_ENDPOINTS = {
    "api-gateway": ["/api/v1/tables", "/api/v1/chat", "/health"],
    "airtable-gateway": ["/records", "/schema", "/health"],
    "llm-orchestrator": ["/chat", "/analyze", "/health"],
    "mcp-server": ["/mcp", "/tools", "/health"],
    "platform-services": ["/auth/login", "/users", "/health"],
    "automation-services": ["/workflows", "/files", "/webhooks", "/health"],
}


def spring_service(service):
    def build(f):
        uris = ["/api/tokens/consume", "/api/auth/login", "/api/users/{id}", "/actuator/health"]
        f("histogram", "http_server_requests_seconds", "Duration of HTTP server request handling.",
          combos({"method": ["GET", "POST"], "uri": uris},
                 [{"status": "200", "outcome": "SUCCESS"}, {"status": "429", "outcome": "CLIENT_ERROR"},
                  {"status": "500", "outcome": "SERVER_ERROR"}], {"exception": ["None"]}),
          rate=15, median=0.08, buckets=DEFAULT_BUCKETS,
          weight=lambda l: {"200": 1.0, "429": 0.02, "500": 0.002}[l["status"]])
        heap = [{"area": "heap", "id": "G1 Eden Space"}, {"area": "heap", "id": "G1 Old Gen"},
                {"area": "nonheap", "id": "Metaspace"}]
        f("gauge", "jvm_memory_used_bytes", "The amount of used memory.", combos(heap), lo=40e6, hi=180e6,
          integer=True)
        f("gauge", "jvm_memory_max_bytes", "The maximum amount of memory.", combos(heap),
          fixed=lambda l: {"G1 Eden Space": -1, "G1 Old Gen": 512 * 1024 * 1024, "Metaspace": -1}[l["id"]])
        f("gauge", "jvm_threads_live_threads", "Live threads.", None, lo=30, hi=60, integer=True)
        f("gauge", "jvm_threads_peak_threads", "Peak threads.", None, lo=60, hi=64, integer=True)
        f("gauge", "jvm_classes_loaded_classes", "Loaded classes.", None, lo=14000, hi=14100, integer=True)
        f("summary", "jvm_gc_pause_seconds", "Time spent in GC pause.",
          combos({"action": ["end of minor GC"], "cause": ["G1 Evacuation Pause"]}), rate=0.3, median=0.008)
        f("gauge", "jdbc_connections_max", "Maximum connections.", None, fixed=lambda l: 10)
        f("gauge", "jdbc_connections_active", "Active connections.", None, lo=0, hi=8, integer=True)
        f("gauge", "jdbc_connections_idle", "Idle connections.", None, lo=2, hi=10, integer=True)
        f("gauge", "system_cpu_count", "CPUs available to the JVM.", None, fixed=lambda l: 2)
        f("gauge", "system_cpu_usage", "Recent CPU usage of the system.", None, lo=0.05, hi=0.6)
        f("gauge", "process_cpu_usage", "Recent CPU usage of the JVM.", None, lo=0.02, hi=0.4)
        f("gauge", "system_load_average_1m", "Load average.", None, lo=0.2, hi=1.8)
        if service == "gateway-service":
            f("counter", "gateway_rate_limit_total", "Rate-limit decisions.",
              combos({"outcome": ["allowed", "blocked"]}), rate=15,
              weight=lambda l: 0.01 if l["outcome"] == "blocked" else 1.0)
            f("counter", "gateway_api_key_validation_total", "API key validations.",
              combos({"outcome": ["success", "invalid", "expired"]}), rate=10,
              weight=lambda l: 1.0 if l["outcome"] == "success" else 0.01)
            f("counter", "gateway_api_key_cache_total", "API key cache lookups.",
              combos({"outcome": ["hit", "miss"]}), rate=10, weight=lambda l: 1.0 if l["outcome"] == "hit" else 0.1)
        if service == "auth-service":
            for op, rate in (("created", 0.05), ("rotated", 0.02), ("revoked", 0.01)):
                f("counter", "auth_api_key_%s_total" % op, "API keys %s." % op, None, rate=rate)
            f("counter", "auth_login_total", "Login attempts.",
              combos({"outcome": ["success", "invalid_credentials", "locked"]}), rate=1,
              weight=lambda l: 1.0 if l["outcome"] == "success" else 0.03)
            f("counter", "auth_register_total", "Registrations.", combos({"outcome": ["success", "duplicate"]}),
              rate=0.05)
        if service == "token-service":
            f("counter", "token_consume_total", "Token consumption requests.",
              combos({"provider": ["openai", "anthropic", "google"],
                      "outcome": ["allowed", "denied", "rate_limited", "provider_failure"],
                      "userId": ["u-1001", "u-1002", "u-1003", "u-1004"]}), rate=8,
              weight=lambda l: 1.0 if l["outcome"] == "allowed" else 0.01)
            f("counter", "token_quota_lookup_total", "Quota lookups.", combos({"outcome": ["hit", "miss"]}), rate=8)
            f("counter", "token_purchase_saga_total", "Token purchase sagas.",
              combos({"outcome": ["completed", "compensated"]}), rate=0.05,
              weight=lambda l: 1.0 if l["outcome"] == "completed" else 0.05)
    return build


def cadvisor(f):
    # One container per simulated Python service; the limit is 0 for a
    # container without one, as cAdvisor reports it.
    names = sorted(PYAIRTABLE_ENDPOINTS)
    f("gauge", "container_memory_working_set_bytes", "Current working set of the container in bytes.",
      combos({"name": names}), lo=150e6, hi=420e6, integer=True)
    f("gauge", "container_spec_memory_limit_bytes", "Memory limit for the container.",
      combos({"name": names}), fixed=lambda l: 0 if l["name"] == "mcp-server" else 512 * 1024 * 1024)


def catalogue(seed):
    """path -> list of Family, for every stand-in service."""
    builders = {"llm-bot": [llm_bot], "batch-worker": [batch_worker], "cadvisor": [cadvisor]}
    for service, endpoints in PYAIRTABLE_ENDPOINTS.items():
        builders[service] = [python_service(endpoints), pyairtable_extras(service)]
    for service in ("gateway-service", "auth-service", "token-service"):
        builders[service] = [spring_service(service)]
    services = {}
    for i, (service, fns) in enumerate(sorted(builders.items())):
        rng = random.Random(seed * 1000 + i)
        families = []
        add = lambda kind, name, help_text, label_sets, **kw: families.append(
            Family(rng, kind, name, help_text, label_sets, **kw))
        for fn in fns:
            fn(add)
        services[service] = families
    return services


class Stand_in:
    def __init__(self, seed):
        self.lock = threading.Lock()
        self.services = catalogue(seed)
        self.last = time.monotonic()
        self.started = time.time()
        self.alerts = {}          # (alertname, status) -> count
        self.notifications = 0

    def exposition(self, service):
        with self.lock:
            now = time.monotonic()
            dt, self.last = now - self.last, now
            # Every service moves at every scrape, so rates stay true whichever path is scraped.
            for families in self.services.values():
                for fam in families:
                    fam.advance(dt)
            out = []
            for fam in self.services[service]:
                fam.render(out)
            return "\n".join(out) + "\n"

    def own_metrics(self):
        with self.lock:
            out = ["# HELP demo_start_time_seconds When the stand-in started.",
                   "# TYPE demo_start_time_seconds gauge",
                   "demo_start_time_seconds %s" % fmt_value(self.started),
                   "# HELP demo_webhook_notifications_total Alertmanager webhook notifications received.",
                   "# TYPE demo_webhook_notifications_total counter",
                   "demo_webhook_notifications_total %d" % self.notifications,
                   "# HELP demo_webhook_alerts_total Alerts in the notifications received.",
                   "# TYPE demo_webhook_alerts_total counter"]
            for (name, status), n in sorted(self.alerts.items()):
                out.append("demo_webhook_alerts_total%s %d" % (fmt_labels({"alertname": name, "status": status}), n))
            return "\n".join(out) + "\n"

    def webhook(self, payload):
        with self.lock:
            self.notifications += 1
            for alert in payload.get("alerts", [])[:1000]:
                key = (str(alert.get("labels", {}).get("alertname", "")), str(alert.get("status", "")))
                if key in self.alerts or len(self.alerts) < 1000:
                    self.alerts[key] = self.alerts.get(key, 0) + 1


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        server_version = "strata-demo/1"

        def _send(self, code, body, ctype="text/plain; version=0.0.4; charset=utf-8"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0].rstrip("/")
            if path == "/metrics":
                return self._send(200, state.own_metrics())
            if path.startswith("/metrics/") and path[len("/metrics/"):] in state.services:
                return self._send(200, state.exposition(path[len("/metrics/"):]))
            if path in ("", "/-/healthy"):
                listing = "\n".join("/metrics/" + s for s in sorted(state.services))
                return self._send(200, "Strata demo service: stand-in metrics at\n" + listing + "\n",
                                  "text/plain; charset=utf-8")
            self._send(404, "not found\n", "text/plain; charset=utf-8")

        def do_POST(self):
            if self.path.split("?", 1)[0] != "/alerts":
                return self._send(404, "not found\n", "text/plain; charset=utf-8")
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                return self._send(413, "body too large\n", "text/plain; charset=utf-8")
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(payload, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                return self._send(400, "bad payload: %s\n" % e, "text/plain; charset=utf-8")
            state.webhook(payload)
            self._send(200, "ok\n", "text/plain; charset=utf-8")

        def log_message(self, fmt, *args):
            pass  # one line per scrape would drown the logs

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", default="0.0.0.0:8000", help="host:port to listen on")
    ap.add_argument("--seed", type=int, default=1, help="random seed of the simulated traffic")
    args = ap.parse_args()
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host or "0.0.0.0", int(port)), make_handler(Stand_in(args.seed)))
    server.daemon_threads = True
    # As a container's PID 1 the process gets no default SIGTERM action.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("demo service listening on %s:%d" % server.server_address[:2], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

// Maps parsed flags (and the configuration) onto the plain option structs of
// the components, so that nothing below server/ reads flags. Pure functions.
#pragma once

#include <string>

#include "api/api.h"
#include "promql/engine.h"
#include "rules/manager.h"
#include "scrape/manager.h"
#include "server/config.h"
#include "server/flags.h"
#include "server/http_server.h"
#include "tsdb/db.h"

namespace strata::server {

// Storage. As in Prometheus, --storage.tsdb.retention.size alone means "no
// time limit"; the 15d default applies only when neither is given.
tsdb::DBOptions db_options(const Flags& flags);

// The query engine. Subqueries without a step use the configuration's
// global evaluation_interval, as in Prometheus.
promql::EngineOptions engine_options(const Flags& flags, const Config& config);

// The HTTP listener.
HttpServerOptions http_options(const Flags& flags, WebConfigFile* web_config = nullptr);

// Scraping: Prometheus 3 name validation unless --query.compat=v2, the
// extra-scrape-metrics feature, User-Agent Strata/<version>.
scrape::ManagerOptions scrape_options(const Flags& flags);

// globalUrl of /api/v1/targets from --web.external-url (default
// http://<hostname>:<port>/) and the listen port.
api::GlobalUrlOptions global_url_options(const Flags& flags);

// --web.external-url (or http://<hostname>:<port>) without a trailing
// slash, as Prometheus uses it in alerts' generator URLs.
std::string external_url(const Flags& flags);

// global.external_labels as a label set.
tsdb::Labels external_labels(const Config& config);

// The rule manager's settings from flags and prometheus.yml.
rules::RulesConfig rules_config(const Config& config, const Flags& flags);

// The self-scrape target of the embedded default configuration: the address
// --web.listen-address names, with a wildcard host as "localhost".
std::string self_scrape_address(const Flags& flags);

// Retention as /api/v1/status/runtimeinfo shows it: "15d", "512MiB",
// "15d or 512MiB".
std::string storage_retention(const Flags& flags);

}  // namespace strata::server

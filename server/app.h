// The server's lifecycle, run by main(): logging set-up, configuration,
// self-metrics, the HTTP listener (started before storage so that /-/healthy
// answers and /-/ready says 503 during a long WAL replay), storage, the query
// engine and the API routes; then signals — SIGHUP reloads the
// configuration, SIGTERM / SIGINT (or POST /-/quit) stop gracefully: no new
// connections, requests in flight finish (up to 30 s), storage is closed.
//
// Call from the main thread with SIGINT, SIGTERM and SIGHUP blocked in every
// thread (main() blocks them before anything starts); they are received with
// sigwait().
#pragma once

#include "server/flags.h"

namespace strata::server {

// Returns the process exit code: 0 after a clean stop, 1 if the listener or
// storage could not start or storage failed to close, 2 if the configuration
// could not be loaded (as Prometheus).
int run_server(const Flags& flags);

}  // namespace strata::server

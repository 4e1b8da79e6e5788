// Test certificates and password hashes made with the system's tools: the
// openssl CLI (EC P-256 keys: quick to generate) and Python's crypt module
// (libxcrypt's bcrypt, the same as `htpasswd -B`).
//
// make_test_certs(dir) writes into `dir`:
//   ca.pem, ca.key          a CA
//   server.pem, server.key  signed by ca, for IP 127.0.0.1 and DNS localhost
//   client.pem, client.key  signed by ca, SANs DNS:client.example and
//                           email:client@example.com
//   other-ca.pem            an unrelated CA
//   rogue.pem, rogue.key    a client certificate signed by other-ca
// The CLI's output goes to <dir>/openssl.log.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace strata::testutil {

absl::Status make_test_certs(const std::string& dir);

// A bcrypt hash of `password` with the given prefix ("$2y$" as htpasswd -B
// writes, "$2a$" or "$2b$") and cost (4 keeps tests fast; htpasswd uses 5,
// the toolkit's docs 10).
absl::StatusOr<std::string> bcrypt_hash(const std::string& password,
                                        const std::string& prefix = "$2y$", int cost = 4);

}  // namespace strata::testutil

#include "tests/testutil/test_certs.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace strata::testutil {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

absl::Status make_test_certs(const std::string& dir) {
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string sign = " -CA ca.pem -CAkey ca.key -CAcreateserial -days 2";
  const std::string script =
      "cd " + shell_quote(dir) + " && exec >openssl.log 2>&1 && set -e\n"
      "openssl req -x509 " + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=strata-test-ca\n"
      "openssl req -x509 " + key + " -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other\n"
      "openssl req " + key + " -keyout server.key -out server.csr -subj /CN=localhost\n"
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.cnf\n"
      "openssl x509 -req -in server.csr" + sign + " -out server.pem -extfile server.cnf\n"
      "openssl req " + key + " -keyout client.key -out client.csr -subj /CN=client\n"
      "printf 'subjectAltName=DNS:client.example,email:client@example.com\\n"
      "extendedKeyUsage=clientAuth\\n' > client.cnf\n"
      "openssl x509 -req -in client.csr" + sign + " -out client.pem -extfile client.cnf\n"
      "openssl req " + key + " -keyout rogue.key -out rogue.csr -subj /CN=rogue\n"
      "openssl x509 -req -in rogue.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial"
      " -days 2 -out rogue.pem -extfile client.cnf\n";
  int rc = std::system(("sh -c " + shell_quote(script)).c_str());
  if (rc != 0) return absl::InternalError("openssl failed; see " + dir + "/openssl.log");
  return absl::OkStatus();
}

absl::StatusOr<std::string> bcrypt_hash(const std::string& password, const std::string& prefix,
                                        int cost) {
  // The password travels in the environment, not on a command line.
  ::setenv("STRATA_TEST_PASSWORD", password.c_str(), 1);
  char setting[16];
  std::snprintf(setting, sizeof(setting), "%s%02d$", prefix.c_str(), cost);
  const std::string cmd =
      "/usr/bin/python3 -W ignore -c " +
      shell_quote("import crypt, os, sys; "
                  "s = crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)[7:29]; "
                  "print(crypt.crypt(os.environ['STRATA_TEST_PASSWORD'], sys.argv[1] + s))") +
      " " + shell_quote(setting);
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return absl::InternalError("cannot run python3");
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  int rc = ::pclose(p);
  ::unsetenv("STRATA_TEST_PASSWORD");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (rc != 0 || out.rfind(setting, 0) != 0)
    return absl::InternalError("python3 crypt failed: " + out);
  return out;
}

}  // namespace strata::testutil

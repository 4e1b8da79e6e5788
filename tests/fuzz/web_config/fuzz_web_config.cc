// libFuzzer entry point for the --web.config.file parser
// (server/web_config.h): arbitrary bytes as a web config. parse_web_config()
// reads no files (certificates are loaded later, by WebConfigFile), so the
// fuzzer exercises only YAML decoding and validation. Any outcome but a
// crash, hang or sanitizer report is fine; a config that parses must be
// self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = strata::server::parse_web_config(text, "/fuzz");
  if (c.ok()) {
    for (const auto& [user, hash] : c->users)
      if (!strata::server::is_bcrypt_hash(hash)) std::abort();
    if (c->tls && (c->tls->cert_file.empty() || c->tls->key_file.empty())) std::abort();
  }
  return 0;
}

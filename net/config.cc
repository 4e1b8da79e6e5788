// TlsConfig's one method; the rest of net/config.h is plain data.
#include "net/config.h"

namespace strata::net {

bool TlsConfig::empty() const {
  return ca.empty() && cert.empty() && key.empty() && ca_file.empty() && cert_file.empty() &&
         key_file.empty() && server_name.empty() && !insecure_skip_verify && min_version.empty() &&
         max_version.empty();
}

}  // namespace strata::net

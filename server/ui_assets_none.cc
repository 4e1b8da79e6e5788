// The asset table of a build without the web UI (-DSTRATA_WEB_UI=OFF, or no
// npm at configure time): ServerRoutes then answers / with a plain page.
#include "server/ui_assets.h"

namespace strata::server {

std::span<const UiAsset> ui_assets() { return {}; }

}  // namespace strata::server

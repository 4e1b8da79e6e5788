// `stratatool import prometheus-tsdb SRC_DIR --storage.tsdb.path=DST_DIR`:
// converts the persisted blocks of a Prometheus data directory (or a
// snapshot of one) into Strata blocks in Strata's data directory.
#pragma once

namespace strata::tools {

// argv after "import". Returns the exit code: 0 done, 1 failed, 2 usage.
int import_main(int argc, char** argv);

}  // namespace strata::tools

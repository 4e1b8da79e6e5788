#include "base/malloc_tuning.h"

#include <malloc.h>

namespace strata {

void tune_malloc_for_queries() {
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
  mallopt(M_TRIM_THRESHOLD, kTrimThresholdBytes);
}

}  // namespace strata

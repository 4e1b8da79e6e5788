#include "scrape/target.h"

namespace strata::scrape {
namespace {

// FNV-1a over labels and URL: equal targets hash equally in every process,
// so a target keeps its phase across restarts.
uint64_t target_hash(const tsdb::Labels& labels, const std::string& url) {
  uint64_t h = 1469598103934665603ULL;
  auto add = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
    h *= 1099511628211ULL;
  };
  for (const auto& l : labels) {
    add(l.name);
    add(l.value);
  }
  add(url);
  return h;
}

}  // namespace

const char* health_name(HealthState h) {
  switch (h) {
    case HealthState::kUp: return "up";
    case HealthState::kDown: return "down";
    case HealthState::kUnknown: break;
  }
  return "unknown";
}

Target::Target(Spec spec) : spec_(std::move(spec)), hash_(target_hash(spec_.labels, spec_.url)) {}

int64_t Target::phase_ms() const {
  return spec_.interval_ms > 0 ? int64_t(hash_ % uint64_t(spec_.interval_ms)) : 0;
}

TargetHealth Target::health() const {
  std::lock_guard lock(mu_);
  return health_;
}

void Target::report(int64_t start_ms, double duration_s, const absl::Status& error) {
  std::lock_guard lock(mu_);
  health_.state = error.ok() ? HealthState::kUp : HealthState::kDown;
  health_.last_error = error.ok() ? "" : std::string(error.message());
  health_.last_scrape_ms = start_ms;
  health_.last_duration_s = duration_s;
}

MetadataList Target::metadata() const {
  std::lock_guard lock(mu_);
  return metadata_;
}

void Target::set_metadata(MetadataList md) {
  std::lock_guard lock(mu_);
  metadata_ = std::move(md);
}

}  // namespace strata::scrape

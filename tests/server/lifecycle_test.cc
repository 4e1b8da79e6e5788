// server::Lifecycle: start in order, stop in reverse, roll back a failed
// start, apply reloads only to started components.
#include "server/lifecycle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::server {
namespace {

class Recorder final : public Component {
 public:
  Recorder(std::string name, std::vector<std::string>* log, bool fail_start = false)
      : name_(std::move(name)), log_(log), fail_start_(fail_start) {}
  std::string_view name() const override { return name_; }
  absl::Status start(const Config&) override {
    log_->push_back("start " + name_);
    return fail_start_ ? absl::InternalError("boom") : absl::OkStatus();
  }
  absl::Status apply(const Config& c) override {
    log_->push_back("apply " + name_ + " " + std::to_string(c.global.evaluation_interval_ms));
    return absl::OkStatus();
  }
  absl::Status stop() override {
    log_->push_back("stop " + name_);
    return name_ == "b" ? absl::DataLossError("flush failed") : absl::OkStatus();
  }

 private:
  std::string name_;
  std::vector<std::string>* log_;
  bool fail_start_;
};

TEST(LifecycleTest, StartsInOrderAppliesReloadsAndStopsInReverse) {
  std::vector<std::string> log;
  Lifecycle l;
  l.add(std::make_unique<Recorder>("a", &log));
  l.add(std::make_unique<Recorder>("b", &log));
  Config c;
  ASSERT_TRUE(l.start_all(c).ok());
  c.global.evaluation_interval_ms = 25'000;
  ASSERT_TRUE(l.apply_all(c).ok());
  absl::Status stopped = l.stop_all();
  EXPECT_EQ(stopped.code(), absl::StatusCode::kDataLoss);  // b's error, a still stopped
  EXPECT_EQ(log, (std::vector<std::string>{"start a", "start b", "apply a 25000", "apply b 25000",
                                           "stop b", "stop a"}));
  EXPECT_EQ(l.apply_all(c).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(l.stop_all().ok());  // idempotent
  EXPECT_EQ(log.size(), 6u);
}

TEST(LifecycleTest, FailedStartStopsWhatStartedAndNamesTheComponent) {
  std::vector<std::string> log;
  Lifecycle l;
  l.add(std::make_unique<Recorder>("a", &log));
  l.add(std::make_unique<Recorder>("c", &log, /*fail_start=*/true));
  l.add(std::make_unique<Recorder>("d", &log));
  absl::Status s = l.start_all(Config{});
  EXPECT_EQ(s.message(), "c: boom");
  EXPECT_EQ(log, (std::vector<std::string>{"start a", "start c", "stop a"}));
}

}  // namespace
}  // namespace strata::server

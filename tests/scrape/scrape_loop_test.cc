// ScrapeLoop's lifetime: a stopped loop is freed once its `done` has run,
// even though the callback a pool passes holds the loop itself (a cycle if
// the loop kept the callback; it once did, and every target that left a
// pool, and every loop at shutdown, stayed allocated).
#include "scrape/scrape_loop.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "tests/scrape/scrape_test_util.h"

namespace strata::scrape {
namespace {

using Mode = ScrapeLoop::StopMode;

TEST(ScrapeLoopTest, AStoppedLoopIsFreedThoughItsCallbackHoldsIt) {
  for (Mode mode : {Mode::kShutdown, Mode::kHandover, Mode::kEndOfRun}) {
    SCOPED_TRACE(int(mode));
    boost::asio::io_context ioc;
    boost::asio::thread_pool workers(1);
    testing::MemDb mem;
    ScrapeMetrics metrics(&mem.registry);
    LoopDeps deps{&ioc, &workers, mem.db.get(), &metrics};
    auto config = std::make_shared<ScrapeConfig>();
    // A minute's interval: the first tick never comes during the test, so
    // no scrape (and no HTTP client) is needed.
    auto target = std::make_shared<Target>(Target::Spec{tsdb::Labels::from_strings({"job", "j", "instance", "h:1"}),
                                                        {},
                                                        "http://127.0.0.1:1/metrics",
                                                        60'000,
                                                        10'000,
                                                        "1m",
                                                        "10s"});
    AppendOptions o;
    o.config = config;
    o.target_labels = target->labels();
    auto loop = std::make_shared<ScrapeLoop>(target, LoopSettings{}, std::make_unique<ScrapeAppender>(o), deps);
    std::weak_ptr<ScrapeLoop> weak = loop;
    loop->start();
    int done = 0;
    bool got_appender = false;
    loop->stop(mode, [&, loop](std::unique_ptr<ScrapeAppender> a) {
      ++done;
      got_appender = a != nullptr;
    });
    // End of run waits for the next tick to write markers; give up now.
    if (mode == Mode::kEndOfRun) loop->abandon();
    loop.reset();
    ioc.run();
    workers.join();
    EXPECT_EQ(done, 1);
    EXPECT_EQ(got_appender, mode == Mode::kHandover);
    EXPECT_TRUE(weak.expired());
  }
}

}  // namespace
}  // namespace strata::scrape

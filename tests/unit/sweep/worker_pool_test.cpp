// The sweep's worker processes: results come back from each child, and a task that throws,
// crashes, exits or hangs is reported as a failure with its cause while the others finish.
#include "dse/worker_pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace msqx::dse {
namespace {

std::map<std::int64_t, WorkerOutcome> RunAll(const std::vector<std::int64_t>& tasks, int jobs,
                                             double timeout,
                                             const std::function<std::string(std::int64_t)>& work) {
  std::map<std::int64_t, WorkerOutcome> out;
  RunInWorkers(tasks, jobs, timeout, work, [&](const WorkerOutcome& o) {
    EXPECT_EQ(out.count(o.task), 0u) << "task " << o.task << " reported twice";
    out[o.task] = o;
  });
  return out;
}

TEST(WorkerPool, EveryTaskReturnsItsOwnResult) {
  std::vector<std::int64_t> tasks;
  for (int i = 0; i < 25; ++i) tasks.push_back(i);
  const auto out = RunAll(tasks, 3, 30, [](std::int64_t t) {
    return std::string(t * 1000, 'x') + std::to_string(t * t);
  });
  ASSERT_EQ(out.size(), tasks.size());
  for (std::int64_t t : tasks) {
    ASSERT_TRUE(out.at(t).ok) << out.at(t).error;
    EXPECT_EQ(out.at(t).result,
              std::string(t * 1000, 'x') + std::to_string(t * t));  // large results too
  }
}

TEST(WorkerPool, FailuresAreReportedWithTheirCauseAndTheRestFinish) {
  const auto out = RunAll({0, 1, 2, 3, 4, 5}, 2, 2, [](std::int64_t t) -> std::string {
    switch (t) {
      case 1:
        throw std::runtime_error("layer 3 does not fit");
      case 2:
        ::raise(SIGKILL);
        break;
      case 3:
        ::_exit(7);
      case 4:
        ::sleep(30);
        break;  // past the 2 s timeout
      default:
        break;
    }
    return "fine " + std::to_string(t);
  });
  ASSERT_EQ(out.size(), 6u);
  EXPECT_TRUE(out.at(0).ok);
  EXPECT_EQ(out.at(5).result, "fine 5");
  EXPECT_FALSE(out.at(1).ok);
  EXPECT_EQ(out.at(1).error, "layer 3 does not fit");
  EXPECT_FALSE(out.at(2).ok);
  EXPECT_NE(out.at(2).error.find("signal 9"), std::string::npos) << out.at(2).error;
  EXPECT_FALSE(out.at(3).ok);
  EXPECT_NE(out.at(3).error.find("status 7"), std::string::npos) << out.at(3).error;
  EXPECT_FALSE(out.at(4).ok);
  EXPECT_NE(out.at(4).error.find("timed out after 2 s"), std::string::npos) << out.at(4).error;
  EXPECT_LT(out.at(4).seconds, 10);
}

TEST(WorkerPool, RunsAtMostJobsAtOnce) {
  // Each task reports when it ran (the monotonic clock is one clock for every process); the most
  // tasks running at one instant must be the 2 asked: not more, and not 1 (a serial pool).
  const auto now_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  const auto out = RunAll({0, 1, 2, 3, 4, 5}, 2, 30, [&](std::int64_t) {
    const auto begin = now_ns();
    ::usleep(300000);
    return std::to_string(begin) + " " + std::to_string(now_ns());
  });
  std::vector<std::pair<long long, int>> events;  // (time, +1 start / -1 end), ends first
  for (const auto& [task, o] : out) {
    ASSERT_TRUE(o.ok) << o.error;
    long long begin = 0, end = 0;
    std::istringstream(o.result) >> begin >> end;
    events.emplace_back(begin, 1);
    events.emplace_back(end, -1);
  }
  std::sort(events.begin(), events.end());
  int running = 0, most = 0;
  for (const auto& [t, delta] : events) most = std::max(most, running += delta);
  EXPECT_EQ(most, 2);
}

}  // namespace
}  // namespace msqx::dse

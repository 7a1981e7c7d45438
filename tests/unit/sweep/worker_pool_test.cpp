// The sweep's worker processes: results come back from each child, and a task that throws,
// crashes, exits or hangs is reported as a failure with its cause while the others finish.
#include "dse/worker_pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
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
  // Each task sleeps 0.3 s; 6 tasks on 2 workers take at least 0.9 s, on 6 much less.
  const auto start = std::chrono::steady_clock::now();
  RunAll({0, 1, 2, 3, 4, 5}, 2, 30, [](std::int64_t) {
    ::usleep(300000);
    return std::string();
  });
  const double two =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(two, 0.9);
}

}  // namespace
}  // namespace msqx::dse

#pragma once
// Progress of a long run on stderr: one line rewritten in place on a terminal (at most five times
// a second), a line a second otherwise. Runs shorter than `quiet_seconds` print nothing. A thread
// of its own repeats the line every second while nothing advances, so that a single long layer or
// parse still shows within a second that the run is alive. Lines are written with write(2), never
// through stdio, so that a worker forked meanwhile cannot inherit a held stdio lock.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace msqx::cli {

// Calls `tick` every 250 ms from a thread of its own until destroyed.
class Ticker {
 public:
  explicit Ticker(std::function<void()> tick);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  std::function<void()> tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

class ProgressLine {
 public:
  // label: "sim", "sweep"; unit: "layers", "points".
  ProgressLine(std::string label, std::string unit, std::int64_t total, double quiet_seconds = 0);
  ~ProgressLine();
  // `extra` is appended after the count ("3 failed").
  void Update(std::int64_t done, const std::string& extra = "");
  // The final figures, if anything was shown before (or always when quiet_seconds is 0).
  void Finish(std::int64_t done, const std::string& extra = "");

 private:
  void Tick();
  void Print(bool last);  // with mutex_ held

  std::string label_, unit_;
  std::int64_t total_;
  double quiet_seconds_;
  bool tty_, shown_any_ = false, finished_ = false;
  std::chrono::steady_clock::time_point start_, shown_;
  std::int64_t done_ = 0;
  std::string extra_;
  std::mutex mutex_;
  std::unique_ptr<Ticker> ticker_;  // last: stopped before anything it reads goes
};

// A step that may take long without a count to show (reading a 200 MB config): after a second,
// "msqx: <what>... 2 s" on stderr, then a line a second, until Stop() or the end of its scope.
class Heartbeat {
 public:
  explicit Heartbeat(std::string what);
  ~Heartbeat();
  void Stop();

 private:
  std::string what_;
  std::chrono::steady_clock::time_point start_, shown_;
  bool shown_any_ = false;
  std::mutex mutex_;
  std::unique_ptr<Ticker> ticker_;
};

}  // namespace msqx::cli

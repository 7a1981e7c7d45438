#pragma once
// Progress of a long run on stderr: one line rewritten in place on a terminal (at most five times
// a second), a line a second otherwise. Runs shorter than `quiet_seconds` print nothing.

#include <chrono>
#include <cstdint>
#include <string>

namespace msqx::cli {

class ProgressLine {
 public:
  // label: "sim", "sweep"; unit: "layers", "points".
  ProgressLine(std::string label, std::string unit, std::int64_t total, double quiet_seconds = 0);
  // `extra` is appended after the count ("3 failed").
  void Update(std::int64_t done, const std::string& extra = "");
  // The final figures, if anything was shown before (or always when quiet_seconds is 0).
  void Finish(std::int64_t done, const std::string& extra = "");

 private:
  void Print(std::int64_t done, const std::string& extra, bool last);

  std::string label_, unit_;
  std::int64_t total_;
  double quiet_seconds_;
  bool tty_, shown_any_ = false;
  std::chrono::steady_clock::time_point start_, shown_;
};

}  // namespace msqx::cli

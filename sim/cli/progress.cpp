#include "sim/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace msqx::cli {

ProgressLine::ProgressLine(std::string label, std::string unit, std::int64_t total,
                           double quiet_seconds)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      quiet_seconds_(quiet_seconds),
      tty_(isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      shown_(start_) {}

void ProgressLine::Update(std::int64_t done, const std::string& extra) {
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - start_).count() < quiet_seconds_) return;
  if (shown_any_ && std::chrono::duration<double>(now - shown_).count() < (tty_ ? 0.2 : 1.0))
    return;
  Print(done, extra, false);
}

void ProgressLine::Finish(std::int64_t done, const std::string& extra) {
  if (shown_any_ || quiet_seconds_ <= 0) Print(done, extra, true);
}

void ProgressLine::Print(std::int64_t done, const std::string& extra, bool last) {
  shown_ = std::chrono::steady_clock::now();
  shown_any_ = true;
  const double elapsed = std::chrono::duration<double>(shown_ - start_).count();
  const double left =
      done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(total_ - done) : 0;
  std::fprintf(stderr, "%s%s: %lld/%lld %s%s%s, %.1f s", tty_ ? "\r" : "", label_.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), unit_.c_str(),
               extra.empty() ? "" : ", ", extra.c_str(), elapsed);
  if (!last) std::fprintf(stderr, ", about %.0f s left", left);
  std::fprintf(stderr, "%s", tty_ && !last ? "   " : "\n");
  std::fflush(stderr);
}

}  // namespace msqx::cli

#include "sim/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace msqx::cli {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void WriteStderr(const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + at, text.size() - at);
    if (n <= 0) return;  // nowhere to report progress to: not worth failing the run for
    at += static_cast<std::size_t>(n);
  }
}

}  // namespace

Ticker::Ticker(std::function<void()> tick) : tick_(std::move(tick)) {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      lock.unlock();
      tick_();
      lock.lock();
    }
  });
}

Ticker::~Ticker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

ProgressLine::ProgressLine(std::string label, std::string unit, std::int64_t total,
                           double quiet_seconds)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      quiet_seconds_(quiet_seconds),
      tty_(isatty(STDERR_FILENO)),
      start_(Clock::now()),
      shown_(start_) {
  ticker_ = std::make_unique<Ticker>([this] { Tick(); });
}

ProgressLine::~ProgressLine() { ticker_.reset(); }

void ProgressLine::Update(std::int64_t done, const std::string& extra) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = done;
  extra_ = extra;
  const auto now = Clock::now();
  if (Seconds(now - start_) < quiet_seconds_) return;
  if (shown_any_ && Seconds(now - shown_) < (tty_ ? 0.2 : 1.0)) return;
  Print(false);
}

void ProgressLine::Tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  if (finished_ || Seconds(now - start_) < std::max(quiet_seconds_, 1.0)) return;
  if (shown_any_ && Seconds(now - shown_) < 1.0) return;
  Print(false);
}

void ProgressLine::Finish(std::int64_t done, const std::string& extra) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = done;
  extra_ = extra;
  finished_ = true;
  if (shown_any_ || quiet_seconds_ <= 0) Print(true);
}

void ProgressLine::Print(bool last) {
  shown_ = Clock::now();
  shown_any_ = true;
  const double elapsed = Seconds(shown_ - start_);
  char text[512];
  int n =
      std::snprintf(text, sizeof text, "%s%s: %lld/%lld %s%s%s, %.1f s", tty_ ? "\r" : "",
                    label_.c_str(), static_cast<long long>(done_), static_cast<long long>(total_),
                    unit_.c_str(), extra_.empty() ? "" : ", ", extra_.c_str(), elapsed);
  std::string line(text, static_cast<std::size_t>(std::max(0, std::min<int>(n, sizeof text - 1))));
  if (!last && done_ > 0) {
    const double left = elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
    n = std::snprintf(text, sizeof text, ", about %.0f s left", left);
    line += text;
  }
  line += tty_ && !last ? "   " : "\n";
  WriteStderr(line);
}

Heartbeat::Heartbeat(std::string what)
    : what_(std::move(what)), start_(Clock::now()), shown_(start_) {
  ticker_ = std::make_unique<Ticker>([this] {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Clock::now();
    if (Seconds(now - start_) < 1.0 || (shown_any_ && Seconds(now - shown_) < 1.0)) return;
    shown_ = now;
    shown_any_ = true;
    char text[64];
    std::snprintf(text, sizeof text, "... %.0f s\n", Seconds(now - start_));
    WriteStderr("msqx: " + what_ + text);
  });
}

Heartbeat::~Heartbeat() { Stop(); }

void Heartbeat::Stop() { ticker_.reset(); }

}  // namespace msqx::cli

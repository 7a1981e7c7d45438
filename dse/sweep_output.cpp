#include "dse/sweep_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "models/spec/config_error.h"
#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"

namespace msqx::dse {
namespace fs = std::filesystem;

namespace {

constexpr const char* kJournal = "journal.jsonl";

std::string HeaderLine(const JournalHeader& h) {
  nlohmann::json targets = nlohmann::json::array();
  for (const SweepTarget& t : h.targets) targets.push_back(t.ToJson());
  return nlohmann::json{{"sweep", h.sweep},   {"fingerprint", h.fingerprint},
                        {"points", h.points}, {"stride", h.stride},
                        {"shard", h.shard},   {"shards", h.shards},
                        {"targets", targets}}
      .dump();
}

JournalHeader HeaderOf(const nlohmann::json& j) {
  JournalHeader h{j.at("sweep").get<std::string>(),
                  j.at("fingerprint").get<std::string>(),
                  j.at("points").get<std::int64_t>(),
                  j.at("stride").get<std::int64_t>(),
                  j.at("shard").get<int>(),
                  j.at("shards").get<int>(),
                  {}};
  for (const auto& t : j.at("targets")) h.targets.push_back(SweepTarget::FromJson(t));
  if (h.shards < 1 || h.shard < 1 || h.shard > h.shards || h.points < 0 || h.stride < 1)
    throw std::out_of_range("shard, point count or stride out of range");
  return h;
}

}  // namespace

Journal::Journal(const std::string& dir, const JournalHeader& h)
    : path_((fs::path(dir) / kJournal).string()), flushed_(std::chrono::steady_clock::now()) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw report::IoError(path_, "open", errno);
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    const int error = errno;
    ::close(fd_);
    throw report::IoError(path_, "inspect", error);
  }
  size_ = st.st_size;
  if (size_ == 0) {
    try {
      WriteLine(HeaderLine(h), true);
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::WriteLine(const std::string& line, bool flush) {
  const std::string text = line + "\n";
  if (const int error = report::WriteAll(fd_, text)) {
    // Cut off what did get written, so that the journal ends with a whole line.
    if (::ftruncate(fd_, size_) != 0) {
    }
    throw report::IoError(path_, "append to", error);
  }
  size_ += static_cast<std::int64_t>(text.size());
  const auto now = std::chrono::steady_clock::now();
  if (flush || now - flushed_ > std::chrono::seconds(1)) Flush();
}

void Journal::Flush() {
  if (::fdatasync(fd_) != 0 && errno != EINVAL) throw report::IoError(path_, "flush", errno);
  flushed_ = std::chrono::steady_clock::now();
}

void Journal::Append(const PointResult& p, bool flush) { WriteLine(p.ToJson().dump(), flush); }

void Journal::Append(const SearchSummary& s) {
  WriteLine(nlohmann::json{{"search", s.ToJson()}}.dump(), false);
}

bool JournalContents::Holds(std::int64_t outer) const {
  return header.stride > 1 ? searches.count(outer) > 0 : points.count(outer) > 0;
}

void Journal::End(const JournalEnd& end) {
  WriteLine(
      nlohmann::json{
          {"end", true}, {"shard_points", end.shard_points}, {"analytic_only", end.analytic_only}}
          .dump(),
      true);
}

void WriteJournal(const std::string& dir, const JournalHeader& h,
                  const std::map<std::int64_t, PointResult>& points,
                  const std::map<std::int64_t, SearchSummary>& searches) {
  std::string text = HeaderLine(h) + "\n";
  for (const auto& entry : points) text += entry.second.ToJson().dump() + "\n";
  for (const auto& entry : searches) {
    text += nlohmann::json{{"search", entry.second.ToJson()}}.dump() + "\n";
  }
  const fs::path path = fs::path(dir) / kJournal, tmp = fs::path(dir) / "journal.jsonl.tmp";
  report::WriteFile(tmp, text);
  report::Sync(tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    throw report::IoError(path.string(), "rename " + tmp.string() + " to", errno);
  }
}

bool HasJournal(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / kJournal, ec);
}

JournalContents ReadJournal(const std::string& dir) {
  const std::string path = (fs::path(dir) / kJournal).string();
  if (!HasJournal(dir))
    throw spec::ConfigError(path, "$", "no sweep journal here (is this a sweep's output folder?)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw report::IoError(path, "read", errno);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  if (in.bad()) throw report::IoError(path, "read", errno);
  JournalContents c;
  c.torn = !lines.empty() && !lines.back().empty() && !nlohmann::json::accept(lines.back());
  if (c.torn) lines.pop_back();
  if (lines.empty() || lines[0].empty()) throw spec::ConfigError(path, "line 1", "empty journal");
  for (std::size_t number = 1; number <= lines.size(); ++number) {
    const std::string& text = lines[number - 1];
    if (text.empty()) continue;
    const std::string where = "line " + std::to_string(number);
    try {
      const auto j = nlohmann::json::parse(text);
      if (number == 1) {
        c.header = HeaderOf(j);
        continue;
      }
      if (j.contains("end")) {  // counts only as the last record: a resumed run appends after it
        c.end =
            JournalEnd{j.at("shard_points").get<std::int64_t>(), j.at("analytic_only").get<bool>()};
        continue;
      }
      c.end.reset();
      if (j.contains("search")) {
        SearchSummary s = SearchSummary::FromJson(j.at("search"));
        if (s.outer < 0 || s.outer >= c.header.points)
          throw std::out_of_range("outer point out of range");
        c.searches[s.outer] = std::move(s);
        continue;
      }
      PointResult p = PointResult::FromJson(j);
      if (p.index < 0 || p.index / c.header.stride >= c.header.points || p.target < 0 ||
          p.target >= static_cast<int>(c.header.targets.size()))
        throw std::out_of_range("index or target out of range");
      c.points[p.index] = std::move(p);
    } catch (const std::exception& e) {
      throw spec::ConfigError(path, where,
                              std::string("corrupt journal record: ") + spec::Elide(e.what(), 200));
    }
  }
  return c;
}

}  // namespace msqx::dse

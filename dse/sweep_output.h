#pragma once
// What a sweep leaves behind: a journal written as points finish (resume and merge read it), and
// the results written from the full list of points: points.csv, pareto.csv, one
// best_design_<network>_<device>.json per pair, summary.md. Results depend only on the points, so
// a merge of shards writes exactly what a one-shot run writes.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dse/sweep.h"

namespace msqx::dse {

struct JournalHeader {
  std::string sweep;        // sweep name
  std::string fingerprint;  // SweepPlan::fingerprint()
  std::int64_t points = 0;  // points of the whole sweep
  int shard = 1, shards = 1;
};

// The record a run appends when it has finished its points: what `msqx merge` requires of each
// shard (a killed run never writes it).
struct JournalEnd {
  std::int64_t shard_points = 0;  // points of this shard
  bool analytic_only = false;     // the cycle simulations were skipped on purpose
};

// dir/journal.jsonl: a header line, then one line per evaluated or simulated point. Each line is
// written whole by one write() or not at all (a failed write is cut off again), and reaches the
// disk (fdatasync) before the next simulated point starts; analytic points, cheap to recompute,
// are flushed at least once a second. A failure is a report::IoError naming the file.
class Journal {
 public:
  // Opens dir/journal.jsonl for appending; writes the header when the file is new.
  Journal(const std::string& dir, const JournalHeader& header);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // `flush`: to the disk now (a simulated point, minutes of work); else within a second.
  void Append(const PointResult& p, bool flush);
  void End(const JournalEnd& end);
  void Flush();

 private:
  void WriteLine(const std::string& line, bool flush);

  std::string path_;
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::chrono::steady_clock::time_point flushed_;
};

struct JournalContents {
  JournalHeader header;
  std::map<std::int64_t, PointResult> points;  // by index
  bool torn = false;              // the last line was cut off (a crash while writing it)
  std::optional<JournalEnd> end;  // the run finished (its last record is the end record)
};
// Reads dir/journal.jsonl; throws spec::ConfigError naming the file and line when it is corrupt.
// A torn last line is skipped (and reported in `torn`).
JournalContents ReadJournal(const std::string& dir);
bool HasJournal(const std::string& dir);
// Writes dir/journal.jsonl afresh (through a temporary file renamed over it): the header and
// `points`, flushed to the disk.
void WriteJournal(const std::string& dir, const JournalHeader& header,
                  const std::map<std::int64_t, PointResult>& points);

// Writes the results of a complete sweep into dir (an OutputFolder's work folder; summary.md
// last). `partial_note`, when not empty, says in summary.md why points are missing (a merge with
// --allow-partial). Returns the summary text printed to the terminal.
std::string WriteSweepResults(const std::string& dir, const std::string& sweep_name,
                              const std::vector<PointResult>& points,
                              const std::string& partial_note = "");

// The part of a file name that stands for a sweep target (a network or device as the sweep names
// it): the name itself, or the stem of a path ("nets/my.json" -> "my").
std::string TargetLabel(const std::string& name_or_path);

}  // namespace msqx::dse

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
  std::int64_t points = 0;  // outer points of the whole sweep
  std::int64_t stride = 1;  // SweepPlan::stride(): a point's index / stride is its outer point
  int shard = 1, shards = 1;
  std::vector<SweepTarget> targets;  // SweepPlan::targets(): what a point's `target` means
};

// The record a run appends when it has finished its points: what `msqx merge` requires of each
// shard (a killed run never writes it).
struct JournalEnd {
  std::int64_t shard_points = 0;  // outer points of this shard
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
  // An outer point's search, written after the points it keeps (a sweep with a search).
  void Append(const SearchSummary& s);
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
  std::map<std::int64_t, PointResult> points;      // by index
  std::map<std::int64_t, SearchSummary> searches;  // by outer point
  // Whether outer point `outer` is in the journal: its search (with a search), else its point.
  bool Holds(std::int64_t outer) const;
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
                  const std::map<std::int64_t, PointResult>& points,
                  const std::map<std::int64_t, SearchSummary>& searches);

// What a complete sweep (or a merge of its shards) knows: the results depend on this alone.
struct SweepData {
  std::string name;
  std::int64_t stride = 1;
  std::vector<SweepTarget> targets;
  std::vector<PointResult> points;                 // every kept point, by index
  std::map<std::int64_t, SearchSummary> searches;  // every outer point's search (with a search)
};

// Writes the results of a complete sweep into dir (an OutputFolder's work folder; summary.md
// last): points.csv, pareto.csv, ratio.csv, best_design_<target>.json and summary.md (dse/
// sweep_summary.cpp). `partial_note`, when not empty, says in summary.md why points are missing
// (a merge with --allow-partial). Returns the summary text printed to the terminal.
std::string WriteSweepResults(const std::string& dir, const SweepData& sweep,
                              const std::string& partial_note = "");

}  // namespace msqx::dse

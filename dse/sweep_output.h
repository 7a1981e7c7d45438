#pragma once
// What a sweep leaves behind: a journal written as points finish (resume and merge read it), and
// the results written from the full list of points: points.csv, pareto.csv, one
// best_design_<network>_<device>.json per pair, summary.md. Results depend only on the points, so
// a merge of shards writes exactly what a one-shot run writes.

#include <cstdint>
#include <fstream>
#include <map>
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

class Journal {
 public:
  // Opens dir/journal.jsonl for appending; writes the header when the file is new.
  Journal(const std::string& dir, const JournalHeader& header);
  void Append(const PointResult& p);

 private:
  std::ofstream out_;
};

struct JournalContents {
  JournalHeader header;
  std::map<std::int64_t, PointResult> points;  // by index; a torn last line is ignored
};
// Reads dir/journal.jsonl; throws spec::ConfigError naming the file and line when it is corrupt.
JournalContents ReadJournal(const std::string& dir);

// Writes the results of a complete sweep into dir (each file replaced atomically, summary.md
// last). Returns the summary text printed to the terminal.
std::string WriteSweepResults(const std::string& dir, const std::string& sweep_name,
                              const std::vector<PointResult>& points);

}  // namespace msqx::dse

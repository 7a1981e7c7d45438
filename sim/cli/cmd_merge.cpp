#include <filesystem>
#include <iostream>

#include "dse/sweep_output.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/sweep_best.h"

namespace msqx::cli {
namespace fs = std::filesystem;

int RunMerge(const Args& args) {
  po::options_description options("msqx merge options");
  options.add_options()("dirs", po::value<std::vector<std::string>>()->required()->multitoken(),
                        "shard output folders")("out", po::value<std::string>(),
                                                "output folder (default results/<sweep>)");
  po::positional_options_description positional;
  positional.add("dirs", -1);
  const CommandLine cl = ParseCommandLine(args, "merge", "DIR... [--out DIR]", options, positional);
  if (cl.help) return 0;

  const auto dirs = cl.vm["dirs"].as<std::vector<std::string>>();
  dse::JournalHeader header;
  std::map<std::int64_t, dse::PointResult> points;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    dse::JournalContents j = dse::ReadJournal(dirs[i]);
    const std::string file = (fs::path(dirs[i]) / "journal.jsonl").string();
    if (i == 0) {
      header = j.header;
    } else if (j.header.fingerprint != header.fingerprint || j.header.shards != header.shards) {
      throw spec::ConfigError(file, "line 1",
                              "this shard belongs to another sweep than " + dirs[0] +
                                  " (fingerprint " + j.header.fingerprint + " vs " +
                                  header.fingerprint + ")");
    }
    for (auto& entry : j.points) points[entry.first] = std::move(entry.second);
  }
  if (static_cast<std::int64_t>(points.size()) != header.points) {
    std::int64_t first_missing = 0;
    while (points.count(first_missing)) ++first_missing;
    throw spec::ConfigError(
        dirs[0], "$",
        std::to_string(header.points - static_cast<std::int64_t>(points.size())) + " of " +
            std::to_string(header.points) +
            " points are missing (first: " + std::to_string(first_missing) + ", shard " +
            std::to_string(first_missing % header.shards + 1) + "/" +
            std::to_string(header.shards) + "); merge every shard, each run to the end");
  }
  const std::string dir = OutputDir(cl.vm, header.sweep);
  fs::create_directories(dir);
  fs::remove(fs::path(dir) / "journal.jsonl");
  {
    dse::Journal journal(dir, {header.sweep, header.fingerprint, header.points, 1, 1});
    for (const auto& entry : points) journal.Append(entry.second);
  }
  std::vector<dse::PointResult> all;
  for (auto& entry : points) all.push_back(std::move(entry.second));
  std::cout << dse::WriteSweepResults(dir, header.sweep, all);
  WriteSweepExtras(dir, all, "msqx merge");
  std::cout << "merged " << dirs.size() << " shard(s): " << dir << "/summary.md\n";
  return 0;
}

}  // namespace msqx::cli

#include <filesystem>
#include <iostream>
#include <set>

#include "dse/sweep_output.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/cli/progress.h"
#include "sim/cli/sweep_best.h"
#include "sim/report/output_folder.h"

namespace msqx::cli {
namespace fs = std::filesystem;

namespace {

struct ShardInput {
  std::string dir;           // as given
  fs::path read_from;        // the folder whose journal was read
  bool interrupted = false;  // only an interrupted run's work folder was there
  dse::JournalContents journal;
};

// A folder given to merge: a finished shard, or (for --allow-partial and for saying what is
// wrong) the work folder an interrupted run of it left.
ShardInput ReadShard(const std::string& dir) {
  ShardInput in{dir, dir, false, {}};
  const fs::path work = report::WorkFolderOf(fs::absolute(dir).lexically_normal());
  if (!dse::HasJournal(dir) && dse::HasJournal(work.string())) {
    in.read_from = work;
    in.interrupted = true;
  }
  in.journal = dse::ReadJournal(in.read_from.string());
  return in;
}

std::string Indices(const std::vector<std::int64_t>& missing) {
  std::string out;
  for (std::size_t i = 0; i < missing.size() && i < 10; ++i)
    out += (i ? ", " : "") + std::to_string(missing[i]);
  if (missing.size() > 10) out += " and " + std::to_string(missing.size() - 10) + " more";
  return out;
}

// What keeps a shard from being complete, or an empty string.
std::string ShardProblem(const ShardInput& in, const dse::JournalHeader& header) {
  const int k = in.journal.header.shard, n = header.shards;
  std::vector<std::int64_t> missing;
  std::int64_t mine = 0, unsimulated = 0;
  for (std::int64_t i = k - 1; i < header.points; i += n) {
    ++mine;
    if (!in.journal.Holds(i)) missing.push_back(i);
  }
  if (header.stride == 1) {
    for (const auto& [i, p] : in.journal.points) {
      unsimulated += p.status == dse::PointStatus::kOk && p.simulated_ms < 0;
    }
  }
  std::string why;
  if (in.interrupted) {
    why = "did not finish: only the work folder of an interrupted run is there (" +
          in.read_from.string() + "; killed, or still running)";
  } else if (in.journal.torn) {
    why = "did not finish: its journal's last line is cut off";
  } else if (!in.journal.end) {
    why = "did not finish: its journal has no end record (killed, or still running)";
  } else if (!missing.empty()) {
    why = "lacks points in its journal";
  } else {
    return "";
  }
  std::string held = "; it holds " +
                     std::to_string(mine - static_cast<std::int64_t>(missing.size())) + " of its " +
                     std::to_string(mine) + " points";
  if (!missing.empty()) held += " (missing " + Indices(missing) + ")";
  if (unsimulated > 0 && !(in.journal.end && in.journal.end->analytic_only)) {
    held += ", " + std::to_string(unsimulated) + " of them feasible but not simulated yet";
  }
  return "shard " + std::to_string(k) + "/" + std::to_string(n) + " (" + in.dir + ") " + why +
         held + "; finish it with: msqx sweep <sweep config> --shard " + std::to_string(k) + "/" +
         std::to_string(n) + " --resume --out " + in.dir;
}

// The shards given, read and checked to belong to one sweep, once each.
struct Shards {
  std::vector<ShardInput> inputs;
  dse::JournalHeader header;         // the first shard's
  std::string first_file;            // the first shard's journal, for messages
  std::map<int, std::string> given;  // shard -> folder
  std::map<std::int64_t, dse::PointResult> points;
  std::map<std::int64_t, dse::SearchSummary> searches;
  bool analytic_only = false;
};

Shards ReadShards(const std::vector<std::string>& dirs) {
  Heartbeat reading("reading the shards' journals");
  Shards s;
  for (const std::string& dir : dirs) s.inputs.push_back(ReadShard(dir));
  s.header = s.inputs[0].journal.header;
  s.first_file = (s.inputs[0].read_from / "journal.jsonl").string();
  for (ShardInput& in : s.inputs) {
    const std::string file = (in.read_from / "journal.jsonl").string();
    const dse::JournalHeader& h = in.journal.header;
    if (h.fingerprint != s.header.fingerprint || h.shards != s.header.shards ||
        h.stride != s.header.stride) {
      throw spec::ConfigError(file, "line 1",
                              "this shard belongs to another sweep than " + dirs[0] +
                                  " (fingerprint " + spec::Elide(h.fingerprint, 40) + " vs " +
                                  s.header.fingerprint + ")");
    }
    if (!s.given.emplace(h.shard, in.dir).second) {
      throw spec::ConfigError(file, "line 1",
                              "shard " + std::to_string(h.shard) + "/" + std::to_string(h.shards) +
                                  " is given twice (also " + s.given[h.shard] + ")");
    }
    s.analytic_only = s.analytic_only || (in.journal.end && in.journal.end->analytic_only);
    for (auto& entry : in.journal.points) s.points[entry.first] = std::move(entry.second);
    for (auto& entry : in.journal.searches) s.searches[entry.first] = std::move(entry.second);
  }
  return s;
}

// Every shard given and complete: an empty string. Otherwise a ConfigError naming each shard that
// is not, or with `allow_partial` the note the summary starts with.
std::string Verify(const Shards& s, bool allow_partial) {
  std::vector<std::string> problems;
  std::string blamed;  // the journal of the first incomplete shard, for the error's file
  for (const ShardInput& in : s.inputs) {
    const std::string problem = ShardProblem(in, s.header);
    if (problem.empty()) continue;
    problems.push_back(problem);
    if (blamed.empty()) blamed = (in.read_from / "journal.jsonl").string();
  }
  for (int k = 1; k <= s.header.shards; ++k) {
    if (!s.given.count(k)) {
      problems.push_back("shard " + std::to_string(k) + "/" + std::to_string(s.header.shards) +
                         " is not given");
    }
  }
  if (problems.empty()) return "";
  std::int64_t missing = 0;
  for (std::int64_t i = 0; i < s.header.points; ++i) {
    const bool held = s.header.stride > 1 ? s.searches.count(i) > 0 : s.points.count(i) > 0;
    missing += !held;
  }
  const std::string headline = "the shards are not complete (" + std::to_string(missing) + " of " +
                               std::to_string(s.header.points) + " points missing)";
  if (!allow_partial) {
    std::string text;
    for (const auto& p : problems) text += "\n  " + p;
    throw spec::ConfigError(blamed.empty() ? s.first_file : blamed, "$",
                            headline + ":" + text +
                                "\nmerge every shard, each run to the end, or pass "
                                "--allow-partial to merge what is there");
  }
  std::string note = "merged with --allow-partial: " + headline + ":";
  for (const auto& p : problems) note += "\n- " + p;
  return note;
}

}  // namespace

int RunMerge(const Args& args) {
  po::options_description options("msqx merge options");
  options.add_options()("dirs", po::value<std::vector<std::string>>()->required()->multitoken(),
                        "shard output folders")("out", po::value<std::string>(),
                                                "output folder (default results/<sweep>)")(
      "allow-partial",
      "merge even when shards are missing or did not finish (the summary says which points are "
      "missing)");
  po::positional_options_description positional;
  positional.add("dirs", -1);
  const CommandLine cl =
      ParseCommandLine(args, "merge", "DIR... [--out DIR] [--allow-partial]", options, positional);
  if (cl.help) return 0;

  const auto dirs = cl.vm["dirs"].as<std::vector<std::string>>();
  Shards shards = ReadShards(dirs);
  const std::string partial_note = Verify(shards, cl.vm.count("allow-partial") > 0);
  const dse::JournalHeader& header = shards.header;
  const std::string& first_file = shards.first_file;
  const std::vector<ShardInput>& inputs = shards.inputs;
  auto& points = shards.points;
  const bool analytic_only = shards.analytic_only;

  const std::string dir = OutputDir(cl.vm, [&] {
    return spec::CheckFileName(header.sweep, "the sweep's name", first_file, "line 1");
  });
  const fs::path out_path = fs::weakly_canonical(fs::absolute(dir));
  for (const ShardInput& in : inputs) {
    if (fs::weakly_canonical(fs::absolute(in.dir)) == out_path) {
      throw report::OutputConflict("--out " + dir + " is one of the shards being merged (" +
                                   in.dir + "): the merge would replace it; choose another --out");
    }
  }
  report::OutputFolder folder(dir, "sweep", Joined("merge", args), OutOptions(cl.vm));
  const std::string work = folder.work().string();
  const dse::JournalHeader merged{
      header.sweep, header.fingerprint, header.points, header.stride, 1, 1, header.targets};
  dse::WriteJournal(work, merged, points, shards.searches);
  if (partial_note.empty()) dse::Journal(work, merged).End({header.points, analytic_only});
  dse::SweepData all{header.sweep, header.stride, header.targets, {}, std::move(shards.searches)};
  std::int64_t retry = 0;
  for (auto& entry : points) {
    retry += entry.second.retry;
    all.points.push_back(std::move(entry.second));
  }
  const std::string summary = dse::WriteSweepResults(work, all, partial_note);
  WriteSweepExtras(work, all);
  folder.Commit();
  std::cout << summary;
  if (!partial_note.empty()) std::cout << "note: " << partial_note << "\n";
  if (retry > 0) {
    std::cout << "note: " << retry
              << " points failed because their worker died or timed out; `msqx sweep --resume` "
                 "of their shard tries them again\n";
  }
  std::cout << "merged " << dirs.size() << " shard(s): " << dir << "/summary.md\n";
  return 0;
}

}  // namespace msqx::cli

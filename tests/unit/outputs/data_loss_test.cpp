// Issue 19, cases 1 to 7 and the killed worker of case 10, each with its exact trigger run
// through the msqx executable: output folders, merges, concurrent runs, full disks, oversized
// sweeps and names used as paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/report/output_lock.h"
#include "tests/unit/outputs/fixture.h"

namespace msqx::test_support {
namespace {

using Args = std::vector<std::string>;

class DataLoss : public ScratchTest {
 protected:
  // One of each command that writes an output folder, writing into `out`.
  std::vector<Args> EveryCommand(const std::string& out) {
    Write(root_ / "tiny_sweep.json", TinySweepJson());
    if (!fs::exists(root_ / "shard")) {
      const auto made = Run({"sweep", "tiny_sweep.json", "--analytic-only", "--out", "shard"});
      EXPECT_EQ(made.status, 0) << made.output;
    }
    return {{"sim", "--design", "xc7z020_ref", "--network", "tiny", "--fidelity", "analytic",
             "--out", out},
            {"sweep", "tiny_sweep.json", "--analytic-only", "--out", out},
            {"merge", "shard", "--out", out},
            {"hls", "xc7z020_ref", "--network", "tiny", "--out", out},
            {"quant", "--network", "tiny", "--out", out},
            {"sim", "--design", "jet_unrolled", "--network", "jet_tagger", "--out", out},
            {"sim", "--design", "jet_unrolled", "--network", "jet_tagger", "--out", "unrolled",
             "--export-weights", out}};
  }

  static std::string Joined(const Args& args) {
    std::string s;
    for (const auto& a : args) s += a + " ";
    return s;
  }

  // The slow sweep: tiny and the slow network on one device, 4 points, 2 of them slow.
  void WriteSlowSweep(const std::string& name = "slowsweep") {
    Write(root_ / "slow.json", SlowNetworkJson());
    Write(root_ / (name + ".json"), R"({"name": ")" + name + R"(",
      "networks": ["tiny", "slow.json"], "devices": ["xc7z020"],
      "base_designs": {"xc7z020": "xc7z020_ref"},
      "axes": {"ratio": [{"fixed": 1, "sp2": 2}, {"fixed": 0, "sp2": 1}]}})");
  }

  // Processes of process group `group` that still run (zombies do not count).
  static int LiveInGroup(pid_t group) {
    int live = 0;
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string stat = Read(e.path() / "stat");
      const auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(stat.substr(close + 1));
      char state = 0;
      long parent = 0, pgrp = 0;
      rest >> state >> parent >> pgrp;
      live += pgrp == group && state != 'Z' && state != 'X';
    }
    return live;
  }

  static int Lines(const fs::path& file) {
    const std::string text = Read(file);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }
};

// Case 1: `cd w1 && msqx sim ... --out .` deleted w1; `msqx sweep default --out .` emptied the
// working directory.
TEST_F(DataLoss, Case1TheWorkingDirectoryIsNeverAnOutputFolder) {
  Write(root_ / "w1" / "notes.txt", "mine");
  const auto before = Snapshot(root_);
  ProcessOptions in_w1;
  in_w1.cwd = (root_ / "w1").string();
  const auto sim =
      Run({"sim", "--design", "xc7z045_ref", "--network", "tiny", "--out", "."}, in_w1);
  EXPECT_EQ(sim.status, 2) << sim.output;
  EXPECT_NE(sim.output.find("--out . is the working directory"), std::string::npos) << sim.output;
  const auto sweep = Run({"sweep", "default", "--out", "."}, in_w1);
  EXPECT_EQ(sweep.status, 2) << sweep.output;
  const auto parent =
      Run({"sim", "--design", "xc7z045_ref", "--network", "tiny", "--out", ".."}, in_w1);
  EXPECT_EQ(parent.status, 2) << parent.output;
  EXPECT_EQ(Snapshot(root_), before);
}

// Case 1: an --out holding unrelated files was emptied (sim, sweep) with exit 0.
TEST_F(DataLoss, Case1NoCommandReplacesAFolderOfTheUsers) {
  const auto commands = EveryCommand("mine");
  Write(root_ / "mine" / "notes.txt", "mine");
  Write(root_ / "mine" / "sub" / "data.csv", "1,2");
  const auto before = Snapshot(root_ / "mine");
  for (const Args& args : commands) {
    const auto r = Run(args);
    EXPECT_EQ(r.status, 2) << Joined(args) << "\n" << r.output;
    EXPECT_NE(r.output.find("that msqx did not write ('notes.txt', 'sub')"), std::string::npos)
        << r.output;
    EXPECT_EQ(Snapshot(root_ / "mine"), before) << Joined(args);
  }
}

// Case 1, what is allowed: each command replaces its own earlier run, and no other kind's.
TEST_F(DataLoss, Case1EachCommandReplacesOnlyItsOwnEarlierRun) {
  const auto commands = EveryCommand("out");
  for (const Args& args : commands) {
    fs::remove_all(root_ / "out");
    ASSERT_EQ(Run(args).status, 0) << Joined(args);
    const auto again = Run(args);
    EXPECT_EQ(again.status, 0) << Joined(args) << "\n" << again.output;
    Write(root_ / "out" / "notes.txt", "added by the user");
    const auto refused = Run(args);
    EXPECT_EQ(refused.status, 2) << Joined(args) << "\n" << refused.output;
    EXPECT_EQ(Read(root_ / "out" / "notes.txt"), "added by the user");
  }
  fs::remove_all(root_ / "out");
  ASSERT_EQ(Run(commands[0]).status, 0);  // a sim report
  const auto before = Snapshot(root_ / "out");
  const auto sweep = Run(commands[1]);
  EXPECT_EQ(sweep.status, 2) << sweep.output;
  EXPECT_NE(sweep.output.find("holds the outputs of an earlier 'msqx sim'"), std::string::npos)
      << sweep.output;
  EXPECT_EQ(Snapshot(root_ / "out"), before);
}

// Case 2: an existing file as --out was deleted and replaced by a folder (exit 0).
TEST_F(DataLoss, Case2AnExistingFileAsOutIsRefused) {
  Write(root_ / "file", "precious");
  for (const Args& args : EveryCommand("file")) {
    const auto r = Run(args);
    EXPECT_EQ(r.status, 2) << Joined(args) << "\n" << r.output;
    EXPECT_NE(r.output.find("is an existing file"), std::string::npos) << r.output;
    EXPECT_EQ(Read(root_ / "file"), "precious") << Joined(args);
  }
}

// Case 3: a truncated journal merged with exit 0.
TEST_F(DataLoss, Case3MergeRefusesATruncatedShard) {
  Write(root_ / "tiny_sweep.json", TinySweepJson());
  for (const char* k : {"1", "2"}) {
    const auto r = Run({"sweep", "tiny_sweep.json", "--shard", std::string(k) + "/2", "--out",
                        std::string("s") + k});
    ASSERT_EQ(r.status, 0) << r.output;
  }
  const std::string journal = Read(root_ / "s2" / "journal.jsonl");
  std::string kept;
  std::istringstream lines(journal);
  std::string line;
  for (int i = 0; i < 3 && std::getline(lines, line); ++i) kept += line + "\n";
  Write(root_ / "s2" / "journal.jsonl", kept);

  const auto r = Run({"merge", "s1", "s2", "--out", "merged"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("shard 2/2 (s2) did not finish"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("it holds 2 of its 6 points (missing 5, 7, 9, 11)"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(root_ / "merged"));
  const auto partial = Run({"merge", "s1", "s2", "--out", "merged", "--allow-partial"});
  ASSERT_EQ(partial.status, 0) << partial.output;
  EXPECT_NE(Read(root_ / "merged" / "summary.md")
                .find("**Partial result:** merged with "
                      "--allow-partial"),
            std::string::npos);
  EXPECT_NE(partial.output.find("4 of 12 points missing"), std::string::npos) << partial.output;
}

// Case 3: a shard killed mid-run merged with exit 0 and changed the best design. Killed with
// kill -9 while a worker simulates; its worker must die with it.
TEST_F(DataLoss, Case3AShardKilledMidRunIsRefusedUntilResumed) {
  WriteSlowSweep();
  ASSERT_EQ(Run({"sweep", "slowsweep.json", "--out", "one"}).status, 0);
  ASSERT_EQ(Run({"sweep", "slowsweep.json", "--shard", "1/2", "--out", "s1"}).status, 0);
  {
    ProcessOptions o;
    o.cwd = root_.string();
    MsqxProcess shard({"sweep", "slowsweep.json", "--shard", "2/2", "--jobs", "1", "--out", "s2"},
                      o);
    const fs::path journal = root_ / ".s2.msqx-partial" / "journal.jsonl";
    // The header and the shard's two analytic records: the slow point is being simulated.
    ASSERT_TRUE(shard.WaitFor([&] { return Lines(journal) >= 3; }, 20)) << shard.output();
    shard.Kill(SIGKILL);
    EXPECT_EQ(shard.Wait().status, 128 + SIGKILL);
    // PDEATHSIG: the worker does not outlive its sweep.
    EXPECT_TRUE(shard.WaitFor([&] { return LiveInGroup(shard.pid()) == 0; }, 5))
        << "a worker survived its sweep";
  }
  const auto refused = Run({"merge", "s1", "s2", "--out", "merged"});
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("shard 2/2 (s2) did not finish"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--shard 2/2 --resume --out s2"), std::string::npos);

  const auto resumed =
      Run({"sweep", "slowsweep.json", "--shard", "2/2", "--resume", "--out", "s2"});
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  const auto merged = Run({"merge", "s1", "s2", "--out", "merged"});
  ASSERT_EQ(merged.status, 0) << merged.output;
  for (const char* f : {"points.csv", "best_design_slow_xc7z020.json", "summary.md"}) {
    EXPECT_EQ(Read(root_ / "one" / f), Read(root_ / "merged" / f)) << f;
  }
}

// Case 4: two sweeps writing one folder both exited 0 and left a mix.
TEST_F(DataLoss, Case4ASecondRunOnAFolderIsRefusedNamingTheFirst) {
  WriteSlowSweep();
  Write(root_ / "tiny_sweep.json", TinySweepJson());
  ProcessOptions o;
  o.cwd = root_.string();
  MsqxProcess first({"sweep", "slowsweep.json", "--jobs", "1", "--out", "out"}, o);
  ASSERT_TRUE(first.WaitFor([&] { return fs::exists(root_ / ".out.msqx-lock"); }, 20));
  const auto second = Run({"sweep", "tiny_sweep.json", "--out", "out"});
  EXPECT_EQ(second.status, 2) << second.output;
  EXPECT_NE(second.output.find("out is being written by another msqx run: pid " +
                               std::to_string(first.pid()) +
                               " (msqx sweep slowsweep.json --jobs 1 --out out)"),
            std::string::npos)
      << second.output;
  const auto done = first.Wait();
  ASSERT_EQ(done.status, 0) << done.output;
  EXPECT_EQ(nlohmann::json::parse(Read(root_ / "out" / ".msqx-output.json"))["command"],
            "msqx sweep slowsweep.json --jobs 1 --out out");
  EXPECT_NE(Read(root_ / "out" / "journal.jsonl").find("\"sweep\":\"slowsweep\""),
            std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / ".out.msqx-lock"));
}

// Case 5: with the disk full, a sweep ignored failed journal writes, ran every point, exited 1
// and lost 15 of 16 results. RLIMIT_FSIZE stands in for the full disk.
TEST_F(DataLoss, Case5ASweepStopsAtTheFirstFailedWriteAndResumes) {
  Write(root_ / "tiny_sweep.json", TinySweepJson());
  ProcessOptions full;
  full.file_size_limit = 4000;
  const auto r = Run({"sweep", "tiny_sweep.json", "--out", "out"}, full);
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_NE(r.output.find("cannot append to " + (root_ / ".out.msqx-partial").string() +
                          "/journal.jsonl: File too large"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("computed 12 points"), std::string::npos) << "it ran on: " << r.output;
  EXPECT_FALSE(fs::exists(root_ / "out"));
  const std::string journal = Read(root_ / ".out.msqx-partial" / "journal.jsonl");
  ASSERT_FALSE(journal.empty());
  EXPECT_EQ(journal.back(), '\n');  // every line whole
  const int kept = Lines(root_ / ".out.msqx-partial" / "journal.jsonl") - 1;
  EXPECT_GT(kept, 0);

  const auto resumed = Run({"sweep", "tiny_sweep.json", "--resume", "--out", "out"});
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("computed " + std::to_string(12 - kept) + " points, " +
                                std::to_string(kept) + " taken from the journal"),
            std::string::npos)
      << resumed.output;
  // No empty plot, no hidden work folder, no lock survives the successful resume.
  for (const auto& e : fs::recursive_directory_iterator(root_)) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(".msqx-partial"), std::string::npos) << e.path();
    EXPECT_EQ(name.find(".msqx-lock"), std::string::npos) << e.path();
    if (e.is_regular_file()) {
      EXPECT_GT(fs::file_size(e.path()), 0u) << e.path();
    }
  }
  const std::string points = Read(root_ / "out" / "points.csv");
  EXPECT_EQ(std::count(points.begin(), points.end(), '\n'), 1 + 12);
}

// Case 5: sim, hls, merge and quant exited 1 "internal error" without the system's reason. They
// exit 3 naming the path and the reason, and the earlier run at --out stays as it was.
TEST_F(DataLoss, Case5EveryCommandNamesThePathAndTheReasonAndKeepsTheEarlierRun) {
  const auto commands = EveryCommand("out");
  ProcessOptions full;
  full.file_size_limit = 150;  // smaller than any report, larger than nothing
  for (const Args& args : commands) {
    fs::remove_all(root_ / "out");
    ASSERT_EQ(Run(args).status, 0) << Joined(args);
    const auto before = Snapshot(root_ / "out");
    const auto r = Run(args, full);
    EXPECT_EQ(r.status, 3) << Joined(args) << "\n" << r.output;
    EXPECT_NE(r.output.find(": File too large"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("cannot write " + root_.string()), std::string::npos) << r.output;
    EXPECT_EQ(Snapshot(root_ / "out"), before) << Joined(args);
    EXPECT_FALSE(fs::exists(root_ / ".out.msqx-partial")) << Joined(args);
  }
}

// Case 5 on a real full disk: a 48 KB tmpfs mounted in a user namespace (skipped where the
// kernel does not allow one).
TEST_F(DataLoss, Case5ARealFullDiskSaysNoSpaceLeftOnDevice) {
  fs::create_directories(root_ / "disk");
  ProcessOptions probe;
  probe.program = "unshare";
  if (RunMsqx({"-rm", "sh", "-c", "mount -t tmpfs -o size=48k tmpfs " + (root_ / "disk").string()},
              probe)
          .status != 0) {
    GTEST_SKIP() << "no tmpfs in a user namespace here (unshare -rm)";
  }
  const std::string script =
      "mount -t tmpfs -o size=48k tmpfs \"$1\" && exec \"$2\" sweep \"$3\" "
      "--analytic-only --out \"$1/out\"";
  const auto r =
      RunMsqx({"-rm", "sh", "-c", script, "sh", (root_ / "disk").string(),
               MSQX_BINARY_DIR "/bin/msqx", MSQX_SOURCE_DIR "/tests/unit/sweep/small_sweep.json"},
              probe);
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_NE(r.output.find("No space left on device"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("computed 96 points"), std::string::npos) << r.output;
}

// Case 6: three 1000-value axes (1.6e10 points) ended in "out of memory" after 2.1 GB.
TEST_F(DataLoss, Case6AnOversizedSweepIsRefusedUpFront) {
  Write(root_ / "huge.json", R"({"name": "huge", "networks": ["tiny"], "devices": ["xc7z020"],
    "base_designs": {"xc7z020": "xc7z020_ref"},
    "axes": {"clock_mhz": {"from": 1, "to": 1000, "step": 1},
             "tile.out_rows": {"from": 1, "to": 1000, "step": 1},
             "tile.out_cols": {"from": 1, "to": 1000, "step": 1}}})");
  const auto r = Run({"sweep", "huge.json", "--out", "out"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("huge.json: $.axes: the sweep has 1000000000 points (1000 clock_mhz x "
                          "1000 tile.out_cols x 1000 tile.out_rows x 1 network x 1 device), more "
                          "than --max-points 200000"),
            std::string::npos)
      << r.output;
  EXPECT_LT(r.seconds, 10);
  EXPECT_EQ(Snapshot(root_).size(), 1u) << "left something besides huge.json";
  // Past 2^63 the count is not computed, but refused all the same.
  Write(root_ / "huge.json", R"({"name": "huge", "networks": ["tiny"], "devices": ["xc7z020"],
    "base_designs": {"xc7z020": "xc7z020_ref"}, "axes": {
      "clock_mhz": {"from": 1, "to": 100000, "step": 1},
      "tile.out_rows": {"from": 1, "to": 100000, "step": 1},
      "tile.out_cols": {"from": 1, "to": 100000, "step": 1},
      "tile.in_channels": {"from": 1, "to": 100000, "step": 1}}})");
  const auto over = Run({"sweep", "huge.json", "--out", "out"});
  EXPECT_EQ(over.status, 2) << over.output;
  EXPECT_NE(over.output.find("the sweep has more than 9.2e18 points"), std::string::npos)
      << over.output;
  // The limit is the user's to raise.
  Write(root_ / "tiny_sweep.json", TinySweepJson());
  const auto small = Run({"sweep", "tiny_sweep.json", "--analytic-only", "--max-points", "11"});
  EXPECT_EQ(small.status, 2) << small.output;
  EXPECT_NE(small.output.find("the sweep has 12 points"), std::string::npos) << small.output;
}

// Case 7: a layer named ../w_good/conv1 made quant read weights outside --weights; a design named
// ../../escape wrote its report outside results/; a sweep named .. wrote into the working
// directory.
TEST_F(DataLoss, Case7NamesNeverLeadOutOfTheirFolder) {
  fs::create_directories(root_ / "a" / "b");
  ProcessOptions in_b;
  in_b.cwd = (root_ / "a" / "b").string();
  nlohmann::json design =
      nlohmann::json::parse(Read(MSQX_SOURCE_DIR "/configs/designs/xc7z020_ref.json"));
  const std::string names[] = {"../../escape", "..", "a/b", ".hidden", "-rf", "x y"};
  for (const std::string& name : names) {
    design["name"] = name;
    Write(root_ / "a" / "b" / "d.json", design.dump());
    const auto before = Snapshot(root_);
    const auto r =
        Run({"sim", "--design", "d.json", "--network", "tiny", "--fidelity", "analytic"}, in_b);
    EXPECT_EQ(r.status, 2) << name << "\n" << r.output;
    EXPECT_NE(
        r.output.find("d.json: $.name: the design's name '" + name + "' is used as a file name"),
        std::string::npos)
        << r.output;
    EXPECT_EQ(Snapshot(root_), before) << name;
  }
  Write(root_ / "a" / "b" / "dots.json", std::string(TinySweepJson("..")));
  const auto sweep = Run({"sweep", "dots.json", "--analytic-only"}, in_b);
  EXPECT_EQ(sweep.status, 2) << sweep.output;
  EXPECT_NE(sweep.output.find("dots.json: $.name: the sweep's name '..'"), std::string::npos)
      << sweep.output;
  EXPECT_FALSE(fs::exists(root_ / "a" / "b" / "results"));

  // The weights beside the folder exist; quant must not read them.
  Write(root_ / "w_good" / "conv1.npy", "not even an npy file");
  fs::create_directories(root_ / "w");
  Write(root_ / "net.json", R"({"name": "n", "input": {"channels": 3, "height": 8, "width": 8},
    "layers": [{"name": "../w_good/conv1", "type": "conv", "out_channels": 4, "kernel": 3}]})");
  const auto quant = Run({"quant", "--network", "net.json", "--weights", "w", "--out", "q"});
  EXPECT_EQ(quant.status, 2) << quant.output;
  EXPECT_NE(quant.output.find("net.json: $.layers[0].name: the layer name '../w_good/conv1' is "
                              "used as a file name and cannot be one"),
            std::string::npos)
      << quant.output;
  EXPECT_FALSE(fs::exists(root_ / "q"));
}

// Case 10: a killed worker's point was not retried by --resume.
TEST_F(DataLoss, Case10ResumeRetriesThePointOfAKilledWorker) {
  WriteSlowSweep();
  ProcessOptions o;
  o.cwd = root_.string();
  MsqxProcess sweep({"sweep", "slowsweep.json", "--jobs", "1", "--out", "out"}, o);
  // The worker of a slow point: a child of msqx that lives for half a second.
  pid_t worker = 0;
  const fs::path children =
      "/proc/" + std::to_string(sweep.pid()) + "/task/" + std::to_string(sweep.pid()) + "/children";
  const fs::path journal = root_ / ".out.msqx-partial" / "journal.jsonl";
  ASSERT_TRUE(sweep.WaitFor(
      [&] {
        // Past the analytic records (5 lines) and the two tiny simulations (7): a slow one.
        if (Lines(journal) < 7) return false;
        std::istringstream ids(Read(children));
        for (long id; ids >> id;) worker = static_cast<pid_t>(id);
        return worker > 0;
      },
      30))
      << sweep.output();
  ::kill(worker, SIGKILL);
  const auto first = sweep.Wait();
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(Read(root_ / "out" / "points.csv").find("worker killed by signal 9"),
            std::string::npos);
  const auto resumed = Run({"sweep", "slowsweep.json", "--resume", "--out", "out"});
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("retrying 1 points whose worker died or timed out"),
            std::string::npos)
      << resumed.output;
  EXPECT_EQ(Read(root_ / "out" / "points.csv").find("worker killed"), std::string::npos);
}

}  // namespace
}  // namespace msqx::test_support

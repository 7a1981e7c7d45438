// Issue 19's property: for random sequences of sim / sweep / merge / hls / kill -9 / --resume
// over one output folder, with the user adding and removing files of their own there, no file
// outside msqx's own outputs changes, a run that does not succeed leaves the folder exactly as it
// was, and every point a run completed survives (a resume recomputes none of them).
// The seed is random and printed; MSQX_PROPERTY_SEED=<n> replays a sequence.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/unit/outputs/fixture.h"

namespace msqx::test_support {
namespace {

using Args = std::vector<std::string>;

struct Action {
  std::string name, kind;  // kind of output folder it writes: "sim", "sweep", "hls"
  Args args;
  bool kill = false;
};

class OutputProperty : public ScratchTest {
 protected:
  // The records of a journal by index, the last one of each (a simulation supersedes the
  // analytic record), and whether it ends with an end record.
  static std::map<std::int64_t, nlohmann::json> Records(const fs::path& journal, bool* ended) {
    std::map<std::int64_t, nlohmann::json> out;
    std::istringstream lines(Read(journal));
    std::string line;
    bool end = false;
    for (int n = 0; std::getline(lines, line); ++n) {
      if (n == 0 || line.empty()) continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "a torn line inside " << journal << ": " << line;
      if (j.is_discarded()) continue;
      end = j.contains("end");
      if (!end) out[j["index"].get<std::int64_t>()] = j;
    }
    if (ended) *ended = end;
    return out;
  }

  // A record whose simulation is done (or that needs none): what a finished point is.
  static bool Final(const nlohmann::json& r) {
    return r["status"] != "ok" || r["simulated_ms"].get<double>() >= 0;
  }

  // Everything under root_ except msqx's output folder and its siblings.
  std::map<std::string, std::string> Outside() {
    auto all = Snapshot(root_);
    for (auto it = all.begin(); it != all.end();) {
      const std::string& p = it->first;
      const bool ours = p == "out" || p.rfind("out/", 0) == 0 || p.rfind(".out.msqx-", 0) == 0;
      it = ours ? all.erase(it) : std::next(it);
    }
    return all;
  }

  void RunSequence(unsigned seed, int steps);
};

void OutputProperty::RunSequence(unsigned seed, int steps) {
  std::mt19937 rng(seed);
  const fs::path out = root_ / "out";
  const std::vector<Action> actions = {
      {"sim",
       "sim",
       {"sim", "--design", "xc7z020_ref", "--network", "tiny", "--fidelity", "analytic", "--out",
        "out"}},
      {"sweep", "sweep", {"sweep", "tiny_sweep.json", "--jobs", "2", "--out", "out"}},
      {"sweep --resume",
       "sweep",
       {"sweep", "tiny_sweep.json", "--jobs", "2", "--resume", "--out", "out"}},
      {"sweep, kill -9",
       "sweep",
       {"sweep", "tiny_sweep.json", "--jobs", "2", "--out", "out"},
       true},
      {"sweep --resume, kill -9",
       "sweep",
       {"sweep", "tiny_sweep.json", "--jobs", "2", "--resume", "--out", "out"},
       true},
      {"merge", "sweep", {"merge", "shards/s1", "shards/s2", "--out", "out"}},
      {"hls", "hls", {"hls", "xc7z020_ref", "--network", "tiny", "--out", "out"}},
      {"user adds a file", "", {}},
      {"user removes it", "", {}},
      {"user removes the folder", "", {}},
  };
  const std::vector<int> weights = {2, 3, 3, 4, 3, 2, 1, 1, 1, 1};
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::uniform_int_distribution<int> delay_ms(0, 350);

  const auto outside = Outside();
  std::map<std::int64_t, nlohmann::json> finished;  // every point a run finished, by index
  std::string log;
  for (int step = 0; step < steps; ++step) {
    const Action& a = actions[pick(rng)];
    log += "\n  " + std::to_string(step) + ": " + a.name;
    SCOPED_TRACE("seed " + std::to_string(seed) + ", steps:" + log);
    const fs::path foreign = out / "my_notes.txt";
    if (a.kind.empty()) {
      if (a.name == "user adds a file" && fs::exists(out)) Write(foreign, "the user's");
      if (a.name == "user removes it") fs::remove(foreign);
      if (a.name == "user removes the folder") fs::remove_all(out);
      continue;
    }
    const auto before = Snapshot(out);
    const auto marked = fs::exists(out / ".msqx-output.json")
                            ? nlohmann::json::parse(Read(out / ".msqx-output.json"))["kind"]
                            : nlohmann::json();
    const bool refused = fs::exists(foreign) || (marked.is_string() && marked != a.kind);
    const fs::path partial = root_ / ".out.msqx-partial" / "journal.jsonl";
    std::map<std::int64_t, nlohmann::json> interrupted;  // what a resume must take over

    ProcessOptions o;
    o.cwd = root_.string();
    MsqxProcess p(a.args, o);
    if (a.kill) {
      p.WaitFor([] { return false; }, delay_ms(rng) / 1000.0);
      p.Kill(SIGKILL);
    }
    const ProcessResult r = p.Wait();
    log += " -> " + std::to_string(r.status);

    // Nothing outside msqx's own outputs changed, and nothing else appeared beside them.
    ASSERT_EQ(Outside(), outside);
    // A kill that lands after the run published its folder (between the rename and the exit)
    // leaves that run's complete output, which must then pass every check a success passes.
    const bool published = r.status == 0 || (a.kill && Snapshot(out) != before);
    if (published && r.status != 0) {
      std::string command = "msqx";
      for (const std::string& arg : a.args) command += " " + arg;
      const auto marker = nlohmann::json::parse(Read(out / ".msqx-output.json"));
      EXPECT_EQ(marker["command"], command) << "a killed run changed the folder";
      EXPECT_EQ(marker["state"], "complete");
      log += " (after publishing)";
    }
    if (!published) {
      // Refused, killed or failed: the folder is exactly as it was.
      EXPECT_EQ(Snapshot(out), before) << r.output;
      if (!a.kill) {
        EXPECT_TRUE(refused) << "failed without reason:\n" << r.output;
        EXPECT_EQ(r.status, 2) << r.output;
      }
    } else {
      EXPECT_FALSE(refused) << "replaced a folder it should have refused:\n" << r.output;
      EXPECT_EQ(nlohmann::json::parse(Read(out / ".msqx-output.json"))["kind"], a.kind);
    }
    if (fs::exists(foreign)) {
      EXPECT_EQ(Read(foreign), "the user's");
    }

    if (fs::exists(partial)) {  // a killed sweep: every record whole (Records checks)
      for (const auto& [i, rec] : Records(partial, nullptr))
        if (Final(rec)) finished[i] = rec;
    }
    if (published && a.kind == "sweep") {
      bool ended = false;
      const auto records = Records(out / "journal.jsonl", &ended);
      EXPECT_TRUE(ended);
      EXPECT_EQ(records.size(), 12u);
      const std::string points = Read(out / "points.csv");
      EXPECT_EQ(std::count(points.begin(), points.end(), '\n'), 13);
      // Every point ever finished survives, unchanged (results are deterministic).
      for (const auto& [i, rec] : finished) {
        ASSERT_TRUE(records.count(i)) << "point " << i << " was lost";
        EXPECT_EQ(records.at(i), rec) << "point " << i;
      }
      for (const auto& [i, rec] : records) finished[i] = rec;
    }
  }
}

TEST_F(OutputProperty, RandomRunsKeepUserFilesAndEveryFinishedPoint) {
  Write(root_ / "tiny_sweep.json", TinySweepJson());
  Write(root_ / "user" / "notes.txt", "the user's notes");
  Write(root_ / "user" / "data" / "x.csv", "1,2,3\n");
  for (const char* k : {"1", "2"}) {
    const auto r = Run({"sweep", "tiny_sweep.json", "--shard", std::string(k) + "/2", "--out",
                        std::string("shards/s") + k});
    ASSERT_EQ(r.status, 0) << r.output;
  }
  const char* env = std::getenv("MSQX_PROPERTY_SEED");
  const unsigned seed =
      env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
  RecordProperty("seed", std::to_string(seed));
  std::cout << "seed " << seed << " (MSQX_PROPERTY_SEED=" << seed << " replays it)\n";
  RunSequence(seed, 24);
}

}  // namespace
}  // namespace msqx::test_support

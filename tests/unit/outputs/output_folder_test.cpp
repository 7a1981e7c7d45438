// The pieces that keep a user's files safe, on their own: OutputFolder, FolderLock, the checked
// writes, the journal's whole lines and the file-name rule (a path traversal table).
#include "sim/report/output_folder.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dse/sweep_output.h"
#include "sim/report/file_io.h"
#include "sim/spec/json_reader.h"

namespace msqx::report {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutputFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("msqx_of_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes one file through an OutputFolder and commits it.
  void Run(const fs::path& target, const std::string& kind, const std::string& text) {
    OutputFolder out(target.string(), kind, "test");
    WriteFile(out.work() / "result.txt", text);
    out.Commit();
  }

  fs::path root_;
};

TEST_F(OutputFolderTest, WritesBesideAndRenamesIntoPlace) {
  const fs::path target = root_ / "out";
  {
    OutputFolder out(target.string(), "sim", "test");
    EXPECT_EQ(out.work(), root_ / ".out.msqx-partial");
    WriteFile(out.work() / "result.txt", "one");
    EXPECT_FALSE(fs::exists(target));  // nothing at the target until it is complete
    EXPECT_TRUE(fs::exists(FolderLock::LockPathOf(target)));
    out.Commit();
  }
  EXPECT_EQ(Read(target / "result.txt"), "one");
  EXPECT_EQ(MarkedKind(target), "sim");
  EXPECT_FALSE(fs::exists(root_ / ".out.msqx-partial"));
  EXPECT_FALSE(fs::exists(FolderLock::LockPathOf(target)));  // released and removed
}

TEST_F(OutputFolderTest, ReplacesItsOwnEarlierRunOfTheSameKindOnly) {
  const fs::path target = root_ / "out";
  Run(target, "sim", "one");
  Run(target, "sim", "two");
  EXPECT_EQ(Read(target / "result.txt"), "two");
  EXPECT_THROW(Run(target, "sweep", "three"), OutputConflict);
  EXPECT_EQ(Read(target / "result.txt"), "two");
}

TEST_F(OutputFolderTest, RefusesWhatMsqxDidNotWrite) {
  // A folder of the user's, a marked folder the user added a file to, a file, a link.
  fs::create_directories(root_ / "mine");
  std::ofstream(root_ / "mine" / "notes.txt") << "keep";
  EXPECT_THROW(Run(root_ / "mine", "sim", "x"), OutputConflict);
  EXPECT_EQ(Read(root_ / "mine" / "notes.txt"), "keep");

  Run(root_ / "out", "sim", "one");
  std::ofstream(root_ / "out" / "notes.txt") << "keep";
  EXPECT_THROW(Run(root_ / "out", "sim", "two"), OutputConflict);
  EXPECT_EQ(Read(root_ / "out" / "notes.txt"), "keep");
  EXPECT_EQ(Read(root_ / "out" / "result.txt"), "one");

  std::ofstream(root_ / "file") << "keep";
  EXPECT_THROW(Run(root_ / "file", "sim", "x"), OutputConflict);
  EXPECT_EQ(Read(root_ / "file"), "keep");

  fs::create_symlink(root_ / "mine", root_ / "link");
  EXPECT_THROW(Run(root_ / "link", "sim", "x"), OutputConflict);
  EXPECT_TRUE(fs::is_symlink(root_ / "link"));
  // Nothing of msqx's stays behind after a refusal.
  for (const auto& e : fs::directory_iterator(root_)) {
    EXPECT_EQ(e.path().filename().string().find(".msqx-"), std::string::npos) << e.path();
  }
}

TEST_F(OutputFolderTest, AnEmptyFolderIsTakenAndTheWorkingDirectoryNever) {
  fs::create_directories(root_ / "empty");
  Run(root_ / "empty", "sim", "x");
  EXPECT_EQ(Read(root_ / "empty" / "result.txt"), "x");

  const fs::path cwd = fs::current_path();
  fs::create_directories(root_ / "w1" / "sub");
  fs::current_path(root_ / "w1" / "sub");
  EXPECT_THROW(Run(".", "sim", "x"), OutputConflict);
  EXPECT_THROW(Run("..", "sim", "x"), OutputConflict);
  EXPECT_THROW(Run("/", "sim", "x"), OutputConflict);
  fs::current_path(cwd);
  EXPECT_TRUE(fs::is_empty(root_ / "w1" / "sub"));
}

TEST_F(OutputFolderTest, AnAbandonedRunLeavesTheTargetAsItWas) {
  const fs::path target = root_ / "out";
  Run(target, "sim", "one");
  {
    OutputFolder out(target.string(), "sim", "test");
    WriteFile(out.work() / "result.txt", "half");
  }  // no Commit: an exception went through
  EXPECT_EQ(Read(target / "result.txt"), "one");
  EXPECT_FALSE(fs::exists(root_ / ".out.msqx-partial"));
}

TEST_F(OutputFolderTest, ASecondRunIsRefusedNamingTheFirst) {
  const fs::path target = root_ / "out";
  OutputFolder first(target.string(), "sweep", "msqx sweep first-one --out out");
  try {
    OutputFolder second(target.string(), "sweep", "msqx sweep second");
    FAIL() << "two runs held one folder";
  } catch (const OutputConflict& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("pid " + std::to_string(::getpid())), std::string::npos) << what;
    EXPECT_NE(what.find("msqx sweep first-one --out out"), std::string::npos) << what;
  }
}

TEST_F(OutputFolderTest, ALockDiesWithItsHolder) {
  const fs::path target = root_ / "out";
  const pid_t child = ::fork();
  if (child == 0) {
    FolderLock lock(target, "child");
    ::kill(::getpid(), SIGKILL);  // as kill -9 does: no destructor runs
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(fs::exists(FolderLock::LockPathOf(target)));  // left behind, but not held
  EXPECT_NO_THROW(FolderLock(target, "next"));
}

TEST_F(OutputFolderTest, AKilledSweepsWorkFolderIsContinuedOrDiscarded) {
  const fs::path target = root_ / "out";
  OutputOptions keep;
  keep.keep_work_on_failure = true;
  {
    OutputFolder out(target.string(), "sweep", "test", keep);
    WriteFile(out.work() / "journal.jsonl", "points\n");
  }
  keep.reuse_work = true;
  {
    OutputFolder out(target.string(), "sweep", "test", keep);
    EXPECT_TRUE(out.continued());
    EXPECT_EQ(Read(out.work() / "journal.jsonl"), "points\n");
  }
  keep.reuse_work = false;
  OutputFolder out(target.string(), "sweep", "test", keep);
  EXPECT_TRUE(out.discarded_work());
  EXPECT_FALSE(fs::exists(out.work() / "journal.jsonl"));
}

// A run killed after renaming its result into place, while removing the earlier one (found by
// scripts/fuzz): what is left beside still carries the marker, removed last, so the next run
// recognizes it as msqx's, continued or not.
TEST_F(OutputFolderTest, AnEarlierResultLeftBesideByAKilledRunIsCleanedUp) {
  const fs::path target = root_ / "out";
  Run(target, "sweep", "new");
  const fs::path beside = root_ / ".out.msqx-partial";
  fs::create_directories(beside / "best_tiny_xc7z020");
  fs::copy_file(target / OutputFolder::kMarker, beside / OutputFolder::kMarker);  // "complete"
  std::ofstream(beside / "points.csv") << "half removed";
  OutputOptions resume;
  resume.keep_work_on_failure = resume.reuse_work = true;
  OutputFolder out(target.string(), "sweep", "test", resume);
  EXPECT_FALSE(out.continued());  // a finished result is not an interrupted run
  EXPECT_TRUE(out.discarded_work());
  EXPECT_FALSE(fs::exists(out.work() / "points.csv"));
  EXPECT_EQ(Read(target / "result.txt"), "new");
}

// A run killed between making its work folder and marking it, or while writing the marker's draft
// (found by OutputProperty in CI: the next run refused the folder as not msqx's), leaves nothing
// in it to lose: the next run takes the folder. One that holds anything else is still refused.
TEST_F(OutputFolderTest, AWorkFolderKilledBeforeItsMarkerIsTakenByTheNextRun) {
  const fs::path target = root_ / "out";
  const fs::path beside = root_ / ".out.msqx-partial";
  fs::create_directories(beside);
  std::ofstream(beside / OutputFolder::kMarkerDraft) << "{\"schema\": \"msqx.out";  // cut off
  {
    OutputFolder out(target.string(), "sweep", "test");
    EXPECT_FALSE(fs::exists(out.work() / OutputFolder::kMarkerDraft));
    EXPECT_TRUE(fs::exists(out.work() / OutputFolder::kMarker));
  }
  fs::create_directories(beside);
  std::ofstream(beside / OutputFolder::kMarkerDraft) << "";
  std::ofstream(beside / "notes.txt") << "the user's";
  EXPECT_THROW(OutputFolder(target.string(), "sweep", "test"), OutputConflict);
  EXPECT_EQ(Read(beside / "notes.txt"), "the user's");
}

// A write past the file size limit (RLIMIT_FSIZE, a full disk's stand-in) is an IoError naming
// the file and the system's reason, and leaves no half-written file.
TEST_F(OutputFolderTest, AFailedWriteIsNamedAndRemoved) {
  const fs::path file = root_ / "big.txt";
  const pid_t child = ::fork();
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1000, 1000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      WriteFile(file, std::string(5000, 'x'));
    } catch (const IoError& e) {
      const std::string what = e.what();
      const bool named = what.find(file.string()) != std::string::npos &&
                         what.find("File too large") != std::string::npos;
      ::_exit(named && !fs::exists(file) ? 0 : 2);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error raised, 2: not named or not removed";
}

// A journal write that fails leaves the journal ending with a whole line.
TEST_F(OutputFolderTest, AFailedJournalRecordIsCutOff) {
  const pid_t child = ::fork();
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    dse::Journal journal(root_.string(), {"s", "f", 1000, 1, 1, 1, {dse::SweepTarget{}}});
    const rlimit limit{3000, 3000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    dse::PointResult p;
    p.design = {{"name", std::string(700, 'd')}};
    try {
      for (int i = 0; i < 1000; ++i) {
        p.index = i;
        journal.Append(p, false);
      }
    } catch (const IoError&) {
      ::_exit(0);
    }
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the journal kept writing past the limit";
  const std::string text = Read(root_ / "journal.jsonl");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const dse::JournalContents c = dse::ReadJournal(root_.string());
  EXPECT_FALSE(c.torn);
  EXPECT_FALSE(c.end);
  EXPECT_GE(c.points.size(), 2u);
}

// The path traversal table: what may and may not become a file or folder name.
TEST(FileNames, OnlyPortableNamesThatStayInTheirFolder) {
  for (const char* ok : {"tiny", "resnet18", "block1.dw.relu6", "a-b_c.d", "X1"}) {
    EXPECT_FALSE(spec::FileNameProblem(ok)) << ok;
  }
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty"},
      {".", "starts with '.'"},
      {"..", "starts with '.'"},
      {"../../escape", "starts with '.'"},
      {"../w_good/conv1", "starts with '.'"},
      {"a/../../b", "path separator '/'"},
      {"/etc/passwd", "path separator '/'"},
      {"a\\b", "path separator '\\'"},
      {".hidden", "starts with '.'"},
      {"-rf", "starts with '-'"},
      {"a b", "holds ' '"},
      {"a:b", "holds ':'"},
      {"caf\xc3\xa9", "holds the byte 195"},
      {std::string("a\0b", 3), "holds the byte 0"},
      {"line\nbreak", "holds the byte 10"},
      {std::string(201, 'a'), "201 characters long"},
  };
  for (const auto& [name, why] : bad) {
    const auto problem = spec::FileNameProblem(name);
    ASSERT_TRUE(problem) << name;
    EXPECT_NE(problem->find(why), std::string::npos) << name << ": " << *problem;
  }
  try {
    spec::CheckFileName("../../escape", "the design's name", "d.json", "$.name");
    FAIL();
  } catch (const spec::ConfigError& e) {
    EXPECT_EQ(e.file(), "d.json");
    EXPECT_EQ(e.json_path(), "$.name");
  }
}

}  // namespace
}  // namespace msqx::report

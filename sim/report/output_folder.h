#pragma once
// The folder a run writes its outputs into (--out), owned so that no user data is ever lost:
//  - the run writes into a work folder beside the target, `.<name>.msqx-partial`, which is
//    renamed into place only when everything in it is written and flushed; a killed or failed
//    run leaves the target as it was;
//  - it replaces only a folder that carries msqx's marker (`.msqx-output.json`) from an earlier
//    run of the same kind and holds nothing the marker does not list, or an empty folder;
//    anything else (a file, a folder of the user's, the working directory) is refused;
//  - one run at a time per folder (FolderLock).
// Every command that writes a folder goes through this class (docs/outputs.md).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/output_lock.h"

namespace msqx::report {

struct OutputOptions {
  // The sweep keeps its journal in the work folder: on failure it stays for --resume, and with
  // reuse_work a work folder left by an interrupted run of the same kind is continued.
  bool keep_work_on_failure = false;
  bool reuse_work = false;
  // Entries a run of this kind adds after its folder is in place (hls --check: build/, ...),
  // which an earlier run's folder may hold besides those its marker lists.
  std::vector<std::string> later_entries;
  std::string option = "--out";  // what names the folder, for messages
  bool is_default = false;       // the option was not given: the folder is its default
};

class OutputFolder {
 public:
  static constexpr const char* kMarker = ".msqx-output.json";
  // The marker is written here and renamed over kMarker, so that a kill never leaves a folder
  // with a truncated marker (which no run could then tell from a folder msqx did not make).
  static constexpr const char* kMarkerDraft = ".msqx-output.json.draft";

  // Claims `target` for a run of `kind` ("sim", "sweep", "hls", ...): takes the lock, checks
  // that the target may be replaced, and prepares an empty work folder (or, with reuse_work, the
  // one an interrupted run left). Throws OutputConflict (exit 2) or IoError (exit 3).
  OutputFolder(const std::string& target, std::string kind, std::string command_line,
               OutputOptions options = {});
  ~OutputFolder();  // an uncommitted work folder is removed, unless keep_work_on_failure
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  const std::filesystem::path& work() const { return work_; }
  const std::filesystem::path& target() const { return target_; }
  const std::string& display() const { return display_; }  // the target as the user wrote it
  // The work folder is an interrupted run's, continued (reuse_work).
  bool continued() const { return continued_; }
  // An interrupted run's work folder was discarded to start afresh.
  bool discarded_work() const { return discarded_work_; }
  // The target holds an earlier run of this kind (it will be replaced on Commit).
  bool has_previous() const { return previous_; }

  // Marks the work folder as complete, flushes it and renames it into place, replacing an earlier
  // run's folder; after this, work() no longer exists.
  void Commit();

 private:
  enum class Target { kAbsent, kEmpty, kEarlierRun };
  Target CheckTarget() const;
  void PrepareWork();
  void WriteMarker(const std::string& state);

  std::string display_, kind_, command_line_;
  OutputOptions options_;
  std::filesystem::path target_, work_;
  std::unique_ptr<FolderLock> lock_;
  Target state_ = Target::kAbsent;
  bool continued_ = false, discarded_work_ = false, previous_ = false, committed_ = false,
       keep_ = false;
};

// The kind of run whose marker `dir` carries ("sweep", ...), if it carries one.
std::optional<std::string> MarkedKind(const std::filesystem::path& dir);

// `.<name>.msqx-partial` beside `target`: where a run into `target` writes until it is done.
std::filesystem::path WorkFolderOf(const std::filesystem::path& target);

}  // namespace msqx::report

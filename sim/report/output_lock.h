#pragma once
// One msqx run at a time per output folder: an advisory lock (flock) on a file beside the folder,
// `.<name>.msqx-lock` (beside, not inside, because the folder itself is replaced by a rename). The
// file says which run holds it, so that a second run can name the first in its refusal. The
// kernel drops the lock when its holder dies, so a killed run never blocks the next one.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace msqx::report {

// An output folder msqx must not write: an existing file, a folder holding what msqx did not
// write, a folder another run is writing. The command line prints it and exits with status 2.
class OutputConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FolderLock {
 public:
  // Takes the lock of `target` (a folder path, which need not exist; its parent must) or throws
  // OutputConflict naming the run that holds it. `command_line` is what a refused run is told.
  FolderLock(const std::filesystem::path& target, const std::string& command_line);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  static std::filesystem::path LockPathOf(const std::filesystem::path& target);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace msqx::report

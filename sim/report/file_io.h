#pragma once
// Checked file writes. Every output msqx writes goes through these, so that a full disk, a
// read-only file system or an I/O error stops the run with the path and the system's reason
// (exit status 3), and no half-written file is left looking like a result.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace msqx::report {

// The system refused a read or write of an output: the command line prints it and exits with
// status 3. `action` is what was being done ("write", "create the folder", "rename ... to");
// `note`, if any, says what the path was for.
class IoError : public std::runtime_error {
 public:
  IoError(std::string path, const std::string& action, int error_number,
          const std::string& note = "");
  const std::string& path() const { return path_; }
  int error_number() const { return errno_; }

 private:
  std::string path_;
  int errno_;
};

// Writes `text` to `path` (created or replaced), every write checked. On any failure the partly
// written file is removed and IoError thrown. (OutputFolder::Commit flushes it to the disk.)
void WriteFile(const std::filesystem::path& path, std::string_view text);

// Writes all of `text` to an open descriptor, retrying short writes; returns 0 or the errno.
int WriteAll(int fd, std::string_view text);

// Creates `dir` and its missing parents; IoError naming the first one that cannot be made.
void MakeDirectories(const std::filesystem::path& dir);

// Flushes a file or a folder (its entries: a rename or a new file inside it) to the disk.
void Sync(const std::filesystem::path& path);

}  // namespace msqx::report

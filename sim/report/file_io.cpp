#include "sim/report/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace msqx::report {
namespace fs = std::filesystem;

IoError::IoError(std::string path, const std::string& action, int error_number,
                 const std::string& note)
    : std::runtime_error("cannot " + action + " " + path + ": " + std::strerror(error_number) +
                         (note.empty() ? "" : " (" + note + ")")),
      path_(std::move(path)),
      errno_(error_number) {}

int WriteAll(int fd, std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    at += static_cast<std::size_t>(n);
  }
  return 0;
}

void WriteFile(const fs::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(path.string(), "create", errno);
  int error = WriteAll(fd, text);
  // close reports what a network file system could only find out then. Flushing to the disk is
  // left to OutputFolder::Commit, once per file, before the folder is renamed into place.
  if (::close(fd) != 0 && error == 0 && errno != EINTR) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    throw IoError(path.string(), "write", error);
  }
}

void MakeDirectories(const fs::path& dir) {
  if (dir.empty()) return;
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return;
    throw IoError(dir.string(), "create the folder", EEXIST);
  }
  if (dir.has_parent_path() && dir.parent_path() != dir) MakeDirectories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    throw IoError(dir.string(), "create the folder", errno);
  }
}

void Sync(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(path.string(), "open", errno);
  // EINVAL: a file system that has nothing to flush (some special ones) is not a failure.
  const int error = ::fsync(fd) != 0 && errno != EINVAL ? errno : 0;
  ::close(fd);
  if (error != 0) throw IoError(path.string(), "flush", error);
}

}  // namespace msqx::report

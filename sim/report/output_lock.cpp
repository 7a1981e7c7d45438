#include "sim/report/output_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "sim/report/file_io.h"

namespace msqx::report {
namespace fs = std::filesystem;

namespace {

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  off_t at = 0;
  for (ssize_t n; (n = ::pread(fd, buffer, sizeof buffer, at)) > 0 && text.size() < 65536;) {
    text.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
  return text;
}

// "pid 1234 (msqx sweep default --out results/x), started 2026-01-02 10:00:00"
std::string DescribeHolder(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("pid")) return "another msqx run";
  std::string command = j.value("command", std::string("msqx"));
  if (command.size() > 200) command = command.substr(0, 200) + "...";
  return "pid " + std::to_string(j.value("pid", 0)) + " (" + command + "), started " +
         j.value("started", std::string("?"));
}

std::string Now() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

}  // namespace

fs::path FolderLock::LockPathOf(const fs::path& target) {
  return target.parent_path() / ("." + target.filename().string() + ".msqx-lock");
}

FolderLock::FolderLock(const fs::path& target, const std::string& command_line)
    : path_(LockPathOf(target)) {
  // A holder removes the file when it is done; a run that opened it just before then holds a lock
  // on a file nobody else will see, so the lock counts only if the path still names our file.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      throw IoError(target.parent_path().string(), "create files in", errno,
                    "the lock of " + target.string());
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const std::string holder = ReadAll(fd);
      ::close(fd);
      if (error != EWOULDBLOCK) throw IoError(path_.string(), "lock", error);
      throw OutputConflict(
          target.string() + " is being written by another msqx run: " + DescribeHolder(holder) +
          ". Wait for it to finish or choose another --out (lock: " + path_.string() + ")");
    }
    struct stat mine, named;
    if (::fstat(fd, &mine) == 0 && ::stat(path_.c_str(), &named) == 0 &&
        mine.st_dev == named.st_dev && mine.st_ino == named.st_ino) {
      fd_ = fd;
      break;
    }
    ::close(fd);
  }
  if (fd_ < 0) throw IoError(path_.string(), "lock", EAGAIN);
  const std::string me =
      nlohmann::json{
          {"pid", static_cast<long>(::getpid())}, {"command", command_line}, {"started", Now()}}
          .dump() +
      "\n";
  // What the holder says about itself is for messages only: a failure to write it is harmless.
  if (::ftruncate(fd_, 0) == 0) (void)WriteAll(fd_, me);
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still holding it: see the constructor
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace msqx::report

#pragma once
// Runs the built msqx executable in a child process with what a test of files and faults needs:
// a working directory, extra environment, a file size limit standing in for a full disk
// (RLIMIT_FSIZE), and a run that can be killed part way. Arguments are passed as a vector, so
// that paths need no shell quoting. Output is stdout and stderr together.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace msqx::test_support {

struct ProcessOptions {
  std::string cwd;                                       // empty: the test's
  std::vector<std::pair<std::string, std::string>> env;  // set in the child
  std::vector<std::string> unset;                        // removed in the child
  long long file_size_limit = -1;                        // bytes; -1: none
  std::string program;  // empty: the built msqx; else a program on PATH (e.g. "unshare")
};

struct ProcessResult {
  int status = -1;  // exit status; 128 + signal when killed
  std::string output;
  double seconds = 0;
};

class MsqxProcess {
 public:
  MsqxProcess(const std::vector<std::string>& args, const ProcessOptions& o = {}) {
    start_ = std::chrono::steady_clock::now();
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::setpgid(0, 0);  // so that Kill reaches the workers too
      if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) ::_exit(126);
      for (const auto& [k, v] : o.env) ::setenv(k.c_str(), v.c_str(), 1);
      for (const auto& k : o.unset) ::unsetenv(k.c_str());
      if (o.file_size_limit >= 0) {
        const rlimit limit{static_cast<rlim_t>(o.file_size_limit),
                           static_cast<rlim_t>(o.file_size_limit)};
        ::setrlimit(RLIMIT_FSIZE, &limit);
      }
      std::vector<std::string> all = {o.program.empty() ? MSQX_BINARY_DIR "/bin/msqx" : o.program};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      if (o.program.empty()) {
        ::execv(argv[0], argv.data());
      } else {
        ::execvp(argv[0], argv.data());
      }
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~MsqxProcess() {
    if (pid_ > 0 && !reaped_) {
      KillGroup(SIGKILL);
      Wait();
    }
    if (fd_ >= 0) ::close(fd_);
  }

  pid_t pid() const { return pid_; }

  // Reads what is there; returns false at the end of the output.
  bool ReadSome(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  const std::string& output() const { return output_; }

  // Polls `ready` every millisecond (reading output meanwhile) for at most `timeout_s`.
  bool WaitFor(const std::function<bool()>& ready, double timeout_s) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      if (ready()) return true;
      ReadSome(1);
    }
    return ready();
  }

  void Kill(int signal) { ::kill(pid_, signal); }        // msqx alone, as `kill -9 PID` does
  void KillGroup(int signal) { ::kill(-pid_, signal); }  // msqx and its workers

  ProcessResult Wait() {
    while (ReadSome(100)) {
    }
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    ProcessResult r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    r.output = output_;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return r;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool reaped_ = false;
  std::string output_;
  std::chrono::steady_clock::time_point start_;
};

inline ProcessResult RunMsqx(const std::vector<std::string>& args, const ProcessOptions& o = {}) {
  MsqxProcess p(args, o);
  return p.Wait();
}

}  // namespace msqx::test_support

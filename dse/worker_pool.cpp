#include "dse/worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

namespace msqx::dse {
namespace {

using Clock = std::chrono::steady_clock;

struct Running {
  pid_t pid = -1;
  int fd = -1;
  std::int64_t task = 0;
  Clock::time_point start;
  std::string output;
};

// Writes all of `text` to `fd`, retrying short writes.
void WriteAll(int fd, const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void RunChild(int fd, std::int64_t task,
                           const std::function<std::string(std::int64_t)>& work) {
  int status = 0;
  try {
    WriteAll(fd, "OK\n" + work(task));
  } catch (const std::exception& e) {
    WriteAll(fd, std::string("ERR\n") + e.what());
  } catch (...) {
    WriteAll(fd, "ERR\nunknown exception");
  }
  ::close(fd);
  // _exit: no static destructors or stdio flushes of the parent's state in the child.
  ::_exit(status);
}

std::string Describe(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("worker killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return "worker exited with status " + std::to_string(WEXITSTATUS(status));
  }
  return "worker ended without a result";
}

WorkerOutcome Finish(Running& r, bool timed_out, double timeout_s) {
  WorkerOutcome o;
  o.task = r.task;
  o.seconds = std::chrono::duration<double>(Clock::now() - r.start).count();
  if (timed_out) ::kill(r.pid, SIGKILL);
  int status = 0;
  while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(r.fd);
  if (timed_out) {
    o.error = "timed out after " + std::to_string(static_cast<long long>(timeout_s)) + " s";
    o.retry = true;
  } else if (r.output.rfind("OK\n", 0) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    o.ok = true;
    o.result = r.output.substr(3);
  } else if (r.output.rfind("ERR\n", 0) == 0) {
    o.error = r.output.substr(4);
  } else {
    o.error = Describe(status);
    o.retry = true;
  }
  return o;
}

// Kills and reaps every worker still running: nothing may outlive the pool.
void StopAll(std::vector<Running>& running) {
  for (Running& r : running) ::kill(r.pid, SIGKILL);
  for (Running& r : running) {
    int status = 0;
    while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(r.fd);
  }
  running.clear();
}

void Poll(std::vector<Running>& running, double timeout_s,
          const std::function<void(const WorkerOutcome&)>& done) {
  std::vector<pollfd> polls;
  for (const Running& r : running) polls.push_back({r.fd, POLLIN, 0});
  const int n = ::poll(polls.data(), polls.size(), 100);
  if (n < 0 && errno != EINTR)
    throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  std::vector<Running> still;
  for (std::size_t i = 0; i < running.size(); ++i) {
    Running& r = running[i];
    bool eof = false;
    if (n > 0 && (polls[i].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buffer[65536];
      const ssize_t got = ::read(r.fd, buffer, sizeof buffer);
      if (got > 0) {
        r.output.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        eof = true;
      }
    }
    const bool late = std::chrono::duration<double>(Clock::now() - r.start).count() > timeout_s;
    if (eof || late) {
      const WorkerOutcome o = Finish(r, !eof && late, timeout_s);
      // The finished worker is reaped: only the others remain to stop if `done` throws.
      for (std::size_t k = i + 1; k < running.size(); ++k) still.push_back(std::move(running[k]));
      running = std::move(still);
      done(o);
      return;
    }
    still.push_back(std::move(r));
  }
  running = std::move(still);
}

}  // namespace

void RunInWorkers(const std::vector<std::int64_t>& tasks, int jobs, double timeout_s,
                  const std::function<std::string(std::int64_t)>& work,
                  const std::function<void(const WorkerOutcome&)>& done) {
  jobs = std::max(1, jobs);
  std::vector<Running> running;
  std::size_t next = 0;
  const pid_t parent = ::getpid();
  try {
    while (next < tasks.size() || !running.empty()) {
      while (next < tasks.size() && static_cast<int>(running.size()) < jobs) {
        int fds[2];
        if (::pipe(fds) != 0)
          throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        std::fflush(nullptr);  // nothing buffered may be written twice
        const pid_t pid = ::fork();
        if (pid < 0) {
          const int error = errno;
          ::close(fds[0]);
          ::close(fds[1]);
          throw std::runtime_error(std::string("fork: ") + std::strerror(error));
        }
        if (pid == 0) {
          // A worker whose sweep was killed (kill -9) must not run on, holding the output
          // folder's lock and writing to nobody.
          ::prctl(PR_SET_PDEATHSIG, SIGKILL);
          if (::getppid() != parent) ::_exit(1);
          ::close(fds[0]);
          for (const Running& r : running) ::close(r.fd);
          RunChild(fds[1], tasks[next], work);
        }
        ::close(fds[1]);
        running.push_back({pid, fds[0], tasks[next], Clock::now(), {}});
        ++next;
      }
      Poll(running, timeout_s, done);
    }
  } catch (...) {
    StopAll(running);
    throw;
  }
}

}  // namespace msqx::dse

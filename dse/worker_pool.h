#pragma once
// A pool of worker processes for the sweep's cycle simulations (DESIGN.md: SystemC elaborates
// once per process). Each task runs in a child forked from the caller, so a crash, an abort or a
// runaway simulation costs that task alone: the pool reports it as a failure with its cause and
// goes on. Results travel back as text over a pipe.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace msqx::dse {

struct WorkerOutcome {
  std::int64_t task = 0;
  bool ok = false;
  std::string result;  // what `work` returned (ok)
  std::string error;   // why not (an exception's message, a signal, an exit status, a timeout)
  // The worker died (a signal: killed from outside, out of memory, a crash) or timed out, rather
  // than reporting an error of the task: another attempt may succeed (`msqx sweep --resume`).
  bool retry = false;
  double seconds = 0;  // wall time of the task
};

// Runs work(task) for every task in its own child process, at most `jobs` at once, and calls
// `done` in this process as each finishes (in completion order). A task still running after
// `timeout_s` seconds is killed. `work` runs in the child: it must not rely on anything it changes
// reaching the parent except through its return value. When `done` throws (a journal that cannot
// be written), the running workers are killed and reaped before the exception goes on; a worker
// whose parent dies is killed too, so that none runs on unattended.
void RunInWorkers(const std::vector<std::int64_t>& tasks, int jobs, double timeout_s,
                  const std::function<std::string(std::int64_t)>& work,
                  const std::function<void(const WorkerOutcome&)>& done);

}  // namespace msqx::dse

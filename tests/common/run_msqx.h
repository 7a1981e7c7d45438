#pragma once
// Runs the built msqx executable as a user would, for tests of the command line: its exit status
// and everything it printed (stdout and stderr together).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace msqx::test_support {

struct MsqxRun {
  int status = -1;  // exit status; 128 + signal when killed
  std::string output;
};

// `cwd`: the working directory to run in (empty: the test's).
inline MsqxRun Msqx(const std::string& args, const std::string& cwd = "") {
  const std::string command = (cwd.empty() ? std::string() : "cd '" + cwd + "' && ") +
                              MSQX_BINARY_DIR "/bin/msqx " + args + " 2>&1";
  MsqxRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.output.append(buffer.data(), n);
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return run;
}

}  // namespace msqx::test_support

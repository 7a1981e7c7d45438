#pragma once
// The msqx subcommands. Each takes the arguments after its name and returns the exit status:
// 0 success; 2 bad input or usage, or an output folder msqx may not write (ConfigError,
// UsageError, OutputConflict); 3 the system refused a read or write (IoError: disk full,
// read-only file system, I/O error; the message names the path and the reason); 1 an internal
// error. Exceptions are thrown and turned into these by Dispatch (README, "Exit status").

#include <string>
#include <vector>

namespace msqx::cli {

using Args = std::vector<std::string>;

int RunSim(const Args& args);
int RunSweep(const Args& args);
int RunMerge(const Args& args);
int RunHls(const Args& args);
int RunQuant(const Args& args);
int RunImport(const Args& args);

// Entry point of the msqx executable (after SystemC has started): dispatches to a subcommand and
// turns every error into a message and an exit status; nothing escapes as an exception.
int Dispatch(int argc, char** argv);

}  // namespace msqx::cli

#pragma once
// Shared command-line plumbing on top of Boost.Program_options.

#include <boost/program_options.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/cli/commands.h"

namespace msqx::cli {

namespace po = boost::program_options;

// A wrong command line (not a wrong config): exit status 2 with the command's usage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A subcommand whose issue is not done yet: exit status 2 and says which issue brings it.
class NotImplemented : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandLine {
  po::variables_map vm;
  bool help = false;  // --help was given and printed; the command should return 0
};

// Parses `args` for command `name`. Adds --help; prints usage to stdout when asked.
// `usage` is the one-line synopsis shown above the option list.
CommandLine ParseCommandLine(const Args& args, const std::string& name, const std::string& usage,
                             po::options_description options,
                             const po::positional_options_description& positional = {});

// For a subcommand whose issue is not done: answers --help with its usage, and otherwise throws
// NotImplemented naming `what` (e.g. "the sweep (issue 6)"). Accepts any arguments so that
// this message, not an option error, is what users see.
int NotAvailableYet(const Args& args, const std::string& name, const std::string& usage,
                    const std::string& what);

// The output folder of a run: --out if given, else results/<default_name>.
std::string OutputDir(const po::variables_map& vm, const std::string& default_name);

}  // namespace msqx::cli

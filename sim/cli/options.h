#pragma once
// Shared command-line plumbing on top of Boost.Program_options.

#include <boost/program_options.hpp>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/cli/commands.h"
#include "sim/report/output_folder.h"

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

// The output folder of a run: --out if given, else results/<default_name()>, whose parts come
// from names in configs and are checked with FileNamePart.
std::string OutputDir(const po::variables_map& vm,
                      const std::function<std::string()>& default_name);

// Output folder options saying whether --out was given, so that messages name the folder as
// "--out DIR" or "the default output folder DIR".
report::OutputOptions OutOptions(const po::variables_map& vm);

// `name` (a config's "name" in `file`) as part of a file name; a name that is not a portable file
// name ("../../x", "a/b") is a ConfigError at $.name, naming `what` ("the design's name").
const std::string& FileNamePart(const std::string& name, const std::string& what,
                                const std::string& file);

// The command line as one string, for reports and for the lock's "who holds it".
std::string Joined(const std::string& command, const Args& args);

}  // namespace msqx::cli

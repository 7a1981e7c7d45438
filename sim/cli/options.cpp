#include "sim/cli/options.h"

#include <iostream>
#include <sstream>

#include "sim/spec/json_reader.h"

namespace msqx::cli {
namespace {

// Boost names a missing positional argument by its hidden option ("the option '--sweep' is
// required but missing"), which the user never typed: say which argument is missing instead.
std::string Problem(const po::error& e, const po::options_description& options,
                    const po::positional_options_description& positional) {
  const auto* missing = dynamic_cast<const po::required_option*>(&e);
  if (!missing) return spec::Elide(e.what(), 300);
  std::string name = missing->get_option_name();
  while (!name.empty() && name.front() == '-') name.erase(name.begin());
  for (unsigned i = 0; i < positional.max_total_count() && i < 8; ++i) {
    if (positional.name_for_position(i) != name) continue;
    const auto* option = options.find_nothrow(name, false);
    return "missing argument: " + (option ? option->description() : name);
  }
  return e.what();
}

}  // namespace

CommandLine ParseCommandLine(const Args& args, const std::string& name, const std::string& usage,
                             po::options_description options,
                             const po::positional_options_description& positional) {
  options.add_options()("help,h", "show this help and exit");
  CommandLine cl;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), cl.vm);
    if (cl.vm.count("help")) {
      std::cout << "usage: msqx " << name << " " << usage << "\n\n" << options << "\n";
      cl.help = true;
      return cl;
    }
    po::notify(cl.vm);
  } catch (const po::error& e) {
    std::ostringstream msg;
    msg << Problem(e, options, positional) << "\nusage: msqx " << name << " " << usage << "\n(msqx "
        << name << " --help lists the options)";
    throw UsageError(msg.str());
  }
  return cl;
}

int NotAvailableYet(const Args& args, const std::string& name, const std::string& usage,
                    const std::string& what) {
  po::options_description options("msqx " + name + " options");
  po::options_description hidden;
  hidden.add_options()("args", po::value<std::vector<std::string>>(), "");
  po::positional_options_description all;
  all.add("args", -1);
  options.add(hidden);
  const CommandLine cl = ParseCommandLine(args, name, usage, options, all);
  if (cl.help) return 0;
  throw NotImplemented("not available yet: it arrives with " + what);
}

std::string OutputDir(const po::variables_map& vm,
                      const std::function<std::string()>& default_name) {
  if (vm.count("out")) return vm["out"].as<std::string>();
  return "results/" + default_name();
}

report::OutputOptions OutOptions(const po::variables_map& vm) {
  report::OutputOptions options;
  options.is_default = !vm.count("out");
  return options;
}

const std::string& FileNamePart(const std::string& name, const std::string& what,
                                const std::string& file) {
  return spec::CheckFileName(name, what, file, "$.name");
}

std::string Joined(const std::string& command, const Args& args) {
  std::string s = "msqx " + command;
  for (const auto& a : args) s += " " + a;
  return spec::Elide(s, 1000);
}

}  // namespace msqx::cli

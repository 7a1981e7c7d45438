#include "sim/cli/options.h"

#include <iostream>
#include <sstream>

namespace msqx::cli {

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
    msg << e.what() << "\nusage: msqx " << name << " " << usage << "\n(msqx " << name
        << " --help lists the options)";
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

std::string OutputDir(const po::variables_map& vm, const std::string& default_name) {
  if (vm.count("out")) return vm["out"].as<std::string>();
  return "results/" + default_name;
}

}  // namespace msqx::cli

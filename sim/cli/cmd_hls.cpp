#include "sim/cli/commands.h"
#include "sim/cli/options.h"

namespace msqx::cli {

int RunHls(const Args& args) {
  // Until the command exists it accepts any arguments so that the message below is what users see.
  po::options_description options("msqx hls options");
  po::options_description hidden;
  hidden.add_options()("args", po::value<std::vector<std::string>>(), "");
  po::positional_options_description all;
  all.add("args", -1);
  options.add(hidden);
  const CommandLine cl = ParseCommandLine(args, "hls", "best_design.json --out DIR [--check]", options, all);
  if (cl.help) return 0;
  throw NotImplemented("not available yet: it arrives with HLS export (issue 7)");
}

}  // namespace msqx::cli

#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/spec/resolve.h"

namespace msqx::cli {

int RunSim(const Args& args) {
  po::options_description options("msqx sim options");
  options.add_options()
      ("design", po::value<std::string>()->required(), "design config (name or path)")
      ("network", po::value<std::string>()->required(), "network config (name or path)")
      ("fidelity", po::value<std::string>()->default_value("cycle"), "cycle, pin or analytic")
      ("out", po::value<std::string>(), "output folder (default results/<design>-<network>)");
  const CommandLine cl = ParseCommandLine(
      args, "sim", "--design D.json --network N.json [--fidelity cycle|pin|analytic] [--out DIR]",
      options);
  if (cl.help) return 0;
  const spec::ConfigResolver resolver;
  const spec::DesignSpec design = resolver.LoadDesign(cl.vm["design"].as<std::string>());
  const spec::NetworkSpec network = resolver.LoadNetwork(cl.vm["network"].as<std::string>());
  (void)design;
  (void)network;
  throw NotImplemented("simulation arrives with the cycle fidelity (issue 5)");
}

}  // namespace msqx::cli

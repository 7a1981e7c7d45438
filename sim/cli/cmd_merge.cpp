#include "sim/cli/commands.h"
#include "sim/cli/options.h"

namespace msqx::cli {

int RunMerge(const Args& args) {
  return NotAvailableYet(args, "merge", "DIR...", "the sweep (issue 6)");
}

}  // namespace msqx::cli

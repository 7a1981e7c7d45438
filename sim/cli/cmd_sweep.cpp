#include "sim/cli/commands.h"
#include "sim/cli/options.h"

namespace msqx::cli {

int RunSweep(const Args& args) {
  return NotAvailableYet(args, "sweep", "S.json [--jobs N] [--shard K/N] [--resume] [--out DIR]", "the design-space explorer (issue 6)");
}

}  // namespace msqx::cli

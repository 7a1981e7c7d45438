#include "sim/cli/commands.h"
#include "sim/cli/options.h"

namespace msqx::cli {

int RunHls(const Args& args) {
  return NotAvailableYet(args, "hls", "best_design.json --out DIR [--check]", "HLS export (issue 7)");
}

}  // namespace msqx::cli

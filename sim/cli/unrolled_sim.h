#pragma once
// `msqx sim` on an unrolled design (docs/unrolled.md): the chain's latency and initiation
// interval, resources, EBOPs and the weights' SQNR, printed and written as report.json
// (msqx.unrolled_report/1), layers.csv and summary.md; with `export_weights`, also the weights
// and precision it used as a weights folder (dse/unrolled_weights.h).

#include <string>

#include "sim/spec/network.h"
#include "sim/spec/unrolled_design.h"

namespace msqx::cli {

int RunUnrolledSim(const spec::UnrolledDesignSpec& design, const spec::NetworkSpec& network,
                   const std::string& out_dir, const std::string& command,
                   const std::string& export_weights = "");

}  // namespace msqx::cli

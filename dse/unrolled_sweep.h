#pragma once
// `msqx sweep` over unrolled designs (spec::UnrolledSweepSpec, docs/unrolled.md): each reuse
// factor with the per-weight precision and with every uniform weight width, evaluated by
// EvaluateUnrolled (closed form: no workers needed), and the comparison the issue asks for:
// per-weight against the narrowest uniform design whose weight SQNR is at least as good.

#include <string>
#include <vector>

#include "dse/unrolled_eval.h"

namespace msqx::dse {

struct UnrolledPoint {
  spec::UnrolledDesignSpec design;
  UnrolledResult result;
};

// Every point, in the order reuse factor, then per-weight, then uniform widths ascending.
std::vector<UnrolledPoint> RunUnrolledSweep(const spec::UnrolledSweepSpec& sweep,
                                            const spec::NetworkSpec& network);

// points.csv, summary.md (with the equal-SQNR comparison) and the same summary for the terminal.
std::string UnrolledPointsCsv(const std::vector<UnrolledPoint>& points);
std::string UnrolledSweepSummary(const spec::UnrolledSweepSpec& sweep,
                                 const spec::NetworkSpec& network,
                                 const std::vector<UnrolledPoint>& points);

}  // namespace msqx::dse

#include "models/unrolled/output_stage.h"

#include <algorithm>

namespace msqx::unrolled {

std::int64_t ApplyOutputStage(std::int64_t y, int o, int frac_bits, const OutputStage& stage) {
  const std::int64_t v = stage.relu ? std::max<std::int64_t>(y, 0) : y;
  if (!stage.Requantizes()) return v;
  return RequantizeCode(v, frac_bits, stage.requant[static_cast<std::size_t>(o)]);
}

}  // namespace msqx::unrolled

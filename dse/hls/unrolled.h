#pragma once
// `msqx hls` for unrolled designs (docs/unrolled.md, docs/hls.md): one dense layer of the network
// as the pin-level UnrolledDense with its constant weight codes aligned to each output's binary
// point, a self-checking testbench that streams random vectors through it (bit-exact against a
// golden computed from the unaligned codes and fractional bits, latency and initiation interval
// against the cycle fidelity of unrolled designs), and the same build files as a template export.

#include <filesystem>
#include <vector>

#include "dse/hls/check.h"
#include "dse/hls/export.h"
#include "models/spec/network.h"
#include "sim/spec/unrolled_design.h"

namespace msqx::hls {

struct UnrolledHlsExport {
  std::string layer;
  int in_features = 0, out_features = 0;
  long long products = 0;
  int latency_cycles = 0, initiation_interval = 1;
  std::vector<int> output_frac_bits;  // F_o: output o is y_o * 2^-F_o (models/unrolled/alignment.h)
  bool relu = false;                  // the output register applies a ReLU
  bool requant = false;               // and requantizes to the next layer's input types
  HlsCheckTarget target;
};

// `options.layer` names an fc layer (default: the network's last one, the smallest in a
// classifier). Throws spec::ConfigError for an unknown or non-fc layer.
UnrolledHlsExport ExportUnrolledHls(const spec::UnrolledDesignSpec& design,
                                    const spec::NetworkSpec& network,
                                    const HlsExportOptions& options,
                                    const std::filesystem::path& dir);

}  // namespace msqx::hls

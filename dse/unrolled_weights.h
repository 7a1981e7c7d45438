#pragma once
// Trained weights and per-element precision of an fc network from a folder (docs/unrolled.md,
// "Weights folder"), as HGQ exports them: per fc layer `<layer>.npy` (float weights [out][in]),
// the weights' precision and the layer input's precision, each as a JSON document
// (`<layer>.weight_precision.json`, `<layer>.input_precision.json`, models/unrolled/precision_io.h)
// or as an integer-bit / fractional-bit .npy pair (`<layer>.weight_int_bits.npy` +
// `<layer>.weight_frac_bits.npy`, `<layer>.input_int_bits.npy` + `<layer>.input_frac_bits.npy`).
// Weights are signed; an input is unsigned when the layer reads an activation layer's output
// (HGQ keeps one sign per tensor). Every error names the file and what was expected.

#include <string>

#include "models/spec/network.h"
#include "models/unrolled/synthetic_hgq.h"

namespace msqx::dse {

// The network's fc layers (the caller checks it has no conv layer: dse::UnrolledWeights).
unrolled::HgqNetwork LoadHgqWeights(const spec::NetworkSpec& network, const std::string& dir);

// Writes `net` in that layout (.npy pairs), so that a seeded network can be edited or replaced by
// trained weights file by file.
void WriteHgqWeights(const unrolled::HgqNetwork& net, const std::string& dir);

}  // namespace msqx::dse

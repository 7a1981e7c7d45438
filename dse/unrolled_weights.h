#pragma once
// Trained weights and per-element precision of an fc network from a folder (docs/unrolled.md,
// "Weights folder"), as HGQ exports them and `msqx import` writes them: per fc layer `<layer>`
//   <layer>.npy                 float weights [out][in]
//   <layer>.bias.npy            float bias [out] (the network's fc layer says bias: true)
//   <stem>_int_bits.npy + <stem>_frac_bits.npy [+ <stem>_sign_bits.npy], or <stem>_precision.json,
//                               for each stem <layer>.weight ([out][in]), <layer>.input ([in]) and
//                               <layer>.bias ([out])
//   <layer>.overflow.json       optional: {"weight": "sat_sym", "input": "wrap", "bias": "wrap"}
// Without a sign-bit array weights and biases are signed, and an input is unsigned when the layer
// reads an activation layer's output. Overflow modes default to HGQ's (weights sat_sym, inputs and
// biases wrap). Every error names the file and what was expected.

#include <string>

#include "models/spec/network.h"
#include "models/unrolled/synthetic_hgq.h"

namespace msqx::dse {

// The network's fc layers (the caller checks it has no conv layer: dse::UnrolledWeights), each
// with its ReLU flag from the network (FollowedByRelu).
unrolled::HgqNetwork LoadHgqWeights(const spec::NetworkSpec& network, const std::string& dir);

// Writes `net` in that layout (.npy arrays: bit counts, sign bits and overflow modes explicit),
// so that a seeded network can be edited or replaced by trained weights file by file.
void WriteHgqWeights(const unrolled::HgqNetwork& net, const std::string& dir);

}  // namespace msqx::dse

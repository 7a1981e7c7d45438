#pragma once
// The jet tagger's last layer as a pin-level config, shared by its test (jet_tagger_pin_test.cpp)
// and the speed benchmark (unrolled_bench.cpp).
#include <cstdint>

namespace msqx::unrolled::test {

// fc4's weight codes aligned to each output's binary point (AlignedCodes of
// SyntheticHgqNetwork(jet_tagger, 42): code << (F_o - f_oj - fx_j), F = 10, 11, 11, 11, 11;
// CodesAreTheSyntheticNetworks fails when the generator changes; re-export them then).
struct Fc4 {
  static constexpr int kIn = 32, kOut = 5;
  // Inputs follow a relu: unsigned, i = 3, f in {2, 3, 4}: at most 7 bits.
  static constexpr int kActBits = 7;
  static constexpr bool kActSigned = false;
  static constexpr int kReuse = 1, kDspMinBits = 10, kDspStages = 3;
  static constexpr std::int64_t kCodes[kOut * kIn] = {
      32,   56,   45,   -43,  80,   0,    -72,  28,
      -50,  32,   0,    -32,  -20,  72,   12,   8,  //
      56,   -16,  -56,  -88,  -16,  98,   -48,  -82,
      -56,  -64,  0,    -16,  0,    16,   8,    8,  // output 0
      -80,  128,  32,   32,   -128, 144,  0,    64,
      -94,  -80,  -84,  -196, 0,    80,   -16,  36,  //
      -64,  -36,  -164, 180,  -32,  128,  0,    0,
      128,  0,    -80,  24,   -64,  0,    39,   -20,  // output 1
      -56,  -96,  -64,  -72,  -64,  0,    -144, 0,
      72,   -72,  -88,  80,   0,    0,    -36,  16,  //
      144,  16,   -64,  -64,  20,   164,  -144, 64,
      64,   96,   -32,  36,   64,   64,   0,    -45,  // output 2
      -72,  -128, 56,   -56,  172,  196,  0,    48,
      0,    -72,  -48,  -64,  32,   112,  39,   -42,  //
      -64,  40,   -128, 0,    0,    188,  128,  -96,
      164,  0,    -98,  -44,  64,   88,   -32,  -16,  // output 3
      56,   0,    0,    88,   184,  0,    -176, 64,
      72,   32,   -32,  64,   -86,  -164, -46,  32,  //
      -112, -24,  80,   184,  45,   200,  0,    -188,
      -64,  128,  40,   24,   -144, 100,  39,   0,  // output 4
  };
};

}  // namespace msqx::unrolled::test

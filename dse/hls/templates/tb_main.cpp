// Self-checking testbench of an exported msqx design point (copied verbatim by `msqx hls`; the
// design is in msqx_top.h, the layer in layer_case.h, both generated).
//
// It runs one layer of the design's network through Top (the pin-level core) with seeded random
// activations and weight codes, an ideal memory (every load request answered in the next cycle,
// every store taken at once; models/accel/core_tb.h, the testbench msqx's own tests use) and the
// layer's step commands, then checks
//   1. every output activation equals the golden integer convolution + requantization
//      (models/accel/golden.h), bit for bit;
//   2. the cycles from the first command handshake to the last store equal kExpectedCycles, the
//      cycle fidelity's count for this layer with the same ideal memory
//      (`msqx sim --design D --network N --memory ideal`, layers.csv).
// Exit status 0 on pass, 1 on a mismatch. The last line is one JSON object for `msqx hls --check`.
// `msqx_tb --trace FILE` also writes the core's ports cycle by cycle (models/pe/port_trace.h), the
// stimulus and expected responses of the RTL co-simulation.
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <systemc>
#include <vector>

#include "layer_case.h"
#include "models/accel/core_tb.h"
#include "models/accel/golden.h"
#include "models/accel/weight_image.h"
#include "msqx_top.h"

namespace {

// Weight codes drawn as the scheme makes them: a fixed-point filter's m-bit two's complement codes
// symmetric around zero, an SP2 filter's codes anywhere in the m-bit code space.
void MakeData(std::mt19937& rng, std::vector<std::uint8_t>* acts, std::vector<std::uint8_t>* codes,
              std::vector<std::int64_t>* values) {
  const msqx::accel::LayerRegs r = msqx_case::Regs();
  const int m = msqx_case::kWeightBits;
  acts->resize(static_cast<std::size_t>(r.in_h) * r.in_w * r.in_c);
  for (auto& a : *acts) a = static_cast<std::uint8_t>(rng() % (1u << r.act_bits));
  const std::size_t per_filter = static_cast<std::size_t>(msqx_case::kKh) * msqx_case::kKw *
                                 (msqx_case::kDepthwise ? 1 : r.in_c);
  codes->resize(per_filter * r.out_c);
  values->resize(codes->size());
  for (int oc = 0; oc < r.out_c; ++oc) {
    const bool fixed = msqx_case::kFixedFilters[oc] == '1';
    for (std::size_t i = 0; i < per_filter; ++i) {
      std::uint8_t code;
      std::int64_t value;
      if (fixed) {
        const int v = static_cast<int>(rng() % ((1u << m) - 1)) - ((1 << (m - 1)) - 1);
        code = static_cast<std::uint8_t>(v & ((1 << m) - 1));
        value = msqx::accel::golden::FixedWeight(code, m);
      } else {
        code = static_cast<std::uint8_t>(rng() % (1u << m));
        value = msqx::accel::golden::Sp2Weight(code, msqx_case::kSp2M1, msqx_case::kSp2M2);
      }
      (*codes)[oc * per_filter + i] = code;
      (*values)[oc * per_filter + i] = value;
    }
  }
}

std::vector<int> Expected(const std::vector<std::uint8_t>& acts,
                          const std::vector<std::int64_t>& values) {
  const msqx::accel::LayerRegs r = msqx_case::Regs();
  msqx::accel::golden::ConvLayer l;
  l.in_c = r.in_c;
  l.in_h = r.in_h;
  l.in_w = r.in_w;
  l.out_c = r.out_c;
  l.kh = msqx_case::kKh;
  l.kw = msqx_case::kKw;
  l.sh = msqx_case::kSh;
  l.sw = msqx_case::kSw;
  l.pt = msqx_case::kPadTop;
  l.pl = msqx_case::kPadLeft;
  l.pb = msqx_case::kPadBottom;
  l.pr = msqx_case::kPadRight;
  l.depthwise = msqx_case::kDepthwise;
  const std::vector<std::int64_t> acc = msqx::accel::golden::Conv(l, acts, values);
  std::vector<int> y(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const bool fixed = msqx_case::kFixedFilters[i % r.out_c] == '1';
    y[i] = static_cast<int>(msqx::accel::golden::Requantize(
        acc[i], fixed ? r.dsp_mult : r.lut_mult, fixed ? r.dsp_shift : r.lut_shift, r.act_bits));
  }
  return y;
}

std::vector<std::uint8_t> Image(const std::vector<msqx::accel::StepCmd>& cmds,
                                const std::vector<std::uint8_t>& codes) {
  const msqx::accel::LayerRegs r = msqx_case::Regs();
  msqx::accel::ImageLayer l;
  l.in_c = r.in_c;
  l.kh = msqx_case::kKh;
  l.kw = msqx_case::kKw;
  l.fold = r.fold;
  l.depthwise = msqx_case::kDepthwise;
  msqx::accel::ImageGeometry g;
  g.dsp_rows = msqx_design::CoreCfg::Dsp::kRows;
  g.lut_rows = msqx_design::CoreCfg::Lut::kRows;
  g.cols = msqx_design::CoreCfg::Dsp::kCols;
  g.dsp_piece_rows = msqx_design::CoreCfg::Dsp::kPieceRows;
  g.lut_piece_rows = msqx_design::CoreCfg::Lut::kPieceRows;
  g.dsp_pack = msqx_design::CoreCfg::Dsp::kMacsPerDsp;
  g.dw_k = msqx_design::CoreCfg::Dsp::kDwK;
  return msqx::accel::BuildWeightImage(cmds, l, g, codes);
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::mt19937 rng(msqx_case::kSeed);
  std::vector<std::uint8_t> acts, codes;
  std::vector<std::int64_t> values;
  MakeData(rng, &acts, &codes, &values);
  const std::vector<int> expected = Expected(acts, values);

  msqx::accel::tb::CoreBench<msqx_design::CoreCfg> tb("tb", msqx_case::kSeed, {});
  tb.cmds = msqx_case::Commands();
  tb.acts = acts;
  tb.weights = Image(tb.cmds, codes);
  tb.out.assign(expected.size(), -1);
  if (argc == 3 && std::string(argv[1]) == "--trace" && !tb.trace.Open(argv[2])) {
    std::printf("msqx_tb: cannot write the port trace %s\n", argv[2]);
    return 2;
  }
  std::printf("msqx_tb: %s, layer %s: %zu step commands, %zu outputs, seed %u\n",
              msqx_case::kDesign, msqx_case::kLayer, tb.cmds.size(), expected.size(),
              msqx_case::kSeed);
  const long long limit = 2 * msqx_case::kExpectedCycles + 10000;
  tb.Run(msqx_case::Regs(), limit);

  long long mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (tb.out[i] == expected[i]) continue;
    if (++mismatches <= 5) {
      std::printf("msqx_tb: output %zu (channel %zu): got %d, golden %d\n", i,
                  i % static_cast<std::size_t>(msqx_case::Regs().out_c), tb.out[i], expected[i]);
    }
  }
  long long nonzero = 0;
  for (int v : expected) nonzero += v > 0;
  const bool finished = tb.stores == static_cast<long long>(expected.size());
  const long long cycles = finished ? tb.last_store - tb.FirstCommand() : -1;
  const bool pass =
      finished && mismatches == 0 && tb.double_writes == 0 && cycles == msqx_case::kExpectedCycles;
  if (!finished) {
    std::printf("msqx_tb: the layer did not finish: %lld of %zu outputs after %lld cycles\n",
                tb.stores, expected.size(), limit);
  }
  std::printf("msqx_tb: outputs %s (%lld mismatches, %lld double writes, %lld of %zu non-zero)\n",
              mismatches == 0 && finished ? "bit-exact" : "WRONG", mismatches, tb.double_writes,
              nonzero, expected.size());
  std::printf("msqx_tb: %lld cycles, cycle fidelity %lld: %s\n", cycles, msqx_case::kExpectedCycles,
              cycles == msqx_case::kExpectedCycles ? "equal" : "DIFFERENT");
  std::printf("msqx_tb: %s\n", pass ? "PASS" : "FAIL");
  std::printf(
      "{\"pass\": %s, \"outputs\": %zu, \"mismatches\": %lld, \"double_writes\": %lld, "
      "\"cycles\": %lld, \"expected_cycles\": %lld, \"steps\": %zu}\n",
      pass ? "true" : "false", expected.size(), mismatches, tb.double_writes, cycles,
      msqx_case::kExpectedCycles, tb.cmds.size());
  return pass ? 0 : 1;
}

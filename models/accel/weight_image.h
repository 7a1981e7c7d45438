#pragma once
// The weight image the core's step commands address (core_ports.h StepCmd::dsp_w / lut_w): each
// engine's pieces of a filter step and chunk in the order the core loads them (row group, channel
// group, tap, piece), a piece being piece_rows filters x cols channels, zeros where a filter or a
// channel is absent. Plain C++ over the commands, so that msqx (core_types.h) and an exported
// project's testbench build it with the same code.

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "models/accel/core_ports.h"

namespace msqx::accel {

struct ImageGeometry {
  int dsp_rows = 1, lut_rows = 1, cols = 1, dsp_piece_rows = 1, lut_piece_rows = 1;
};

// The layer as its weights are stored: OHWI codes of kh x kw taps (I = in_c, or 1 when depthwise),
// and the folding the commands run with (fold > 0: the engines see kh x 1 taps of fold x in_c
// channels, channel kx x in_c + c being OHWI's (kx, c)).
struct ImageLayer {
  int in_c = 1, kh = 1, kw = 1, fold = 0;
  bool depthwise = false;
};

inline std::uint8_t ImageCode(const ImageLayer& l, const std::vector<std::uint8_t>& codes, int f,
                              int tap, int cc) {
  const int kw_e = l.fold > 0 ? 1 : l.kw;
  const int ky = tap / kw_e, kx = tap % kw_e;
  if (l.depthwise) {
    const long long per_filter = static_cast<long long>(l.kh) * l.kw;
    return cc == f ? codes.at(static_cast<std::size_t>(f * per_filter + ky * l.kw + kx)) : 0;
  }
  const long long per_filter = static_cast<long long>(l.kh) * l.kw * l.in_c;
  const long long at = f * per_filter + static_cast<long long>(ky) * l.kw * l.in_c +
                       static_cast<long long>(kx) * l.in_c + cc;
  return codes.at(static_cast<std::size_t>(at));
}

// Writes one engine's pieces of `c` at `at` (first: its first filter; n: its filters).
inline void WriteEnginePieces(std::vector<std::uint8_t>& image, const StepCmd& c,
                              const ImageLayer& l, const std::vector<std::uint8_t>& codes,
                              int first, int n, int rows, int piece_rows, int cols,
                              std::uint32_t at) {
  if (n == 0) return;
  const int taps = l.kh * (l.fold > 0 ? 1 : l.kw);
  const int ogs = (n + rows - 1) / rows;
  const int groups = (c.in_chs + cols - 1) / cols;
  std::size_t pos = at;
  for (int og = 0; og < ogs; ++og) {
    const int present = og == ogs - 1 ? n - og * rows : rows;
    const int pieces = (present + piece_rows - 1) / piece_rows;
    for (int g = 0; g < groups; ++g) {
      for (int t = 0; t < taps; ++t) {
        for (int q = 0; q < pieces; ++q) {
          for (int j = 0; j < piece_rows; ++j) {
            const int r = og * rows + q * piece_rows + j;
            for (int k = 0; k < cols; ++k) {
              const int cc = g * cols + k;
              const bool there = r < n && cc < c.in_chs;
              if (image.size() <= pos) image.resize(pos + 1, 0);
              image[pos++] = there ? ImageCode(l, codes, first + r, t, c.in_ch0 + cc) : 0;
            }
          }
        }
      }
    }
  }
}

inline std::vector<std::uint8_t> BuildWeightImage(const std::vector<StepCmd>& cmds,
                                                  const ImageLayer& l, const ImageGeometry& g,
                                                  const std::vector<std::uint8_t>& codes) {
  std::vector<std::uint8_t> image;
  std::set<std::pair<std::uint32_t, std::uint32_t>> written;  // blocks every spatial tile shares
  for (const StepCmd& c : cmds) {
    if (!written.insert({c.dsp_w, c.lut_w}).second) continue;
    WriteEnginePieces(image, c, l, codes, c.ch0, c.dsp_n, g.dsp_rows, g.dsp_piece_rows, g.cols,
                      c.dsp_w);
    WriteEnginePieces(image, c, l, codes, c.ch0 + c.dsp_n, c.lut_n, g.lut_rows, g.lut_piece_rows,
                      g.cols, c.lut_w);
  }
  return image;
}

}  // namespace msqx::accel

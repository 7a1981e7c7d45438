#pragma once
// The weight image the core's step commands address (core_ports.h StepCmd::dsp_w / lut_w): each
// engine's pieces of a filter step and chunk in the order the core loads them (row group, channel
// group, tap, piece), a piece being piece_rows filters x cols channels, zeros where a filter or a
// channel is absent. Depthwise: row group, tap group, piece, a piece being piece_rows channels x
// the lanes' window of their taps (DwImageCode). Plain C++ over the commands, so that msqx
// (core_types.h) and an exported project's testbench build it with the same code.

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "models/accel/core_ports.h"

namespace msqx::accel {

struct ImageGeometry {
  int dsp_rows = 1, lut_rows = 1, cols = 1, dsp_piece_rows = 1, lut_piece_rows = 1;
  int dsp_pack = 1;  // products per DSP: a depthwise channel per DSP
  int dw_k = 1;      // depthwise window side of the lanes (pe::DwWindowOf(cols))
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
  const long long per_filter = static_cast<long long>(l.kh) * l.kw * l.in_c;
  const long long at = f * per_filter + static_cast<long long>(ky) * l.kw * l.in_c +
                       static_cast<long long>(kx) * l.in_c + cc;
  return codes.at(static_cast<std::size_t>(at));
}

// Depthwise: the code lane column `col` of tap group (gy, gx) holds for filter f. The lanes hold
// a dw_k x dw_k window (column ky * dw_k + kx) whose last kgw columns and first kgh rows are the
// group's kgh x kgw taps from (oy, ox) = min(g * kg, k - kg) per dimension; a tap two groups
// overlap on belongs to the first of them (0 elsewhere). docs/design.md, "Depthwise".
inline std::uint8_t DwImageCode(const ImageLayer& l, const std::vector<std::uint8_t>& codes, int f,
                                int gy, int gx, int col, int dw_k) {
  const int kgh = l.kh < dw_k ? l.kh : dw_k, kgw = l.kw < dw_k ? l.kw : dw_k;
  const int gys = (l.kh + kgh - 1) / kgh, gxs = (l.kw + kgw - 1) / kgw;
  if (col >= dw_k * dw_k) return 0;
  const int ky_in = col / dw_k, kx_reg = col % dw_k;
  if (ky_in >= kgh || kx_reg < dw_k - kgw) return 0;
  const int oy = gy * kgh < l.kh - kgh ? gy * kgh : l.kh - kgh;
  const int ox = gx * kgw < l.kw - kgw ? gx * kgw : l.kw - kgw;
  const int ky = oy + ky_in, kx = ox + kx_reg - (dw_k - kgw);
  const int owner_y = ky / kgh < gys - 1 ? ky / kgh : gys - 1;
  const int owner_x = kx / kgw < gxs - 1 ? kx / kgw : gxs - 1;
  if (owner_y != gy || owner_x != gx) return 0;
  return codes.at(
      static_cast<std::size_t>(static_cast<long long>(f) * l.kh * l.kw + ky * l.kw + kx));
}

// Depthwise pieces of one engine: per row group (`slots` channels, each on `per_slot` rows of
// which the first holds its codes: a packed DSP's second product idles) and tap group, the pieces
// of the group's present rows.
inline void WriteDwPieces(std::vector<std::uint8_t>& image, const ImageLayer& l,
                          const std::vector<std::uint8_t>& codes, int first, int n, int rows,
                          int piece_rows, int per_slot, int cols, int dw_k, std::uint32_t at) {
  const int slots = rows / per_slot;
  const int ogs = (n + slots - 1) / slots;
  const int kgh = l.kh < dw_k ? l.kh : dw_k, kgw = l.kw < dw_k ? l.kw : dw_k;
  const int gys = (l.kh + kgh - 1) / kgh, gxs = (l.kw + kgw - 1) / kgw;
  std::size_t pos = at;
  for (int og = 0; og < ogs; ++og) {
    const int present_ch = og == ogs - 1 ? n - og * slots : slots;
    const int present = present_ch * per_slot < rows ? present_ch * per_slot : rows;
    const int pieces = (present + piece_rows - 1) / piece_rows;
    for (int g = 0; g < gys * gxs; ++g) {
      for (int q = 0; q < pieces; ++q) {
        for (int j = 0; j < piece_rows; ++j) {
          const int row = q * piece_rows + j;
          const int f = og * slots + row / per_slot;
          const bool there = row < rows && row % per_slot == 0 && f < n;
          for (int k = 0; k < cols; ++k) {
            if (image.size() <= pos) image.resize(pos + 1, 0);
            image[pos++] = there ? DwImageCode(l, codes, first + f, g / gxs, g % gxs, k, dw_k) : 0;
          }
        }
      }
    }
  }
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
    if (l.depthwise) {
      if (c.dsp_n > 0) {
        WriteDwPieces(image, l, codes, c.ch0, c.dsp_n, g.dsp_rows, g.dsp_piece_rows, g.dsp_pack,
                      g.cols, g.dw_k, c.dsp_w);
      }
      if (c.lut_n > 0) {
        WriteDwPieces(image, l, codes, c.ch0 + c.dsp_n, c.lut_n, g.lut_rows, g.lut_piece_rows, 1,
                      g.cols, g.dw_k, c.lut_w);
      }
      continue;
    }
    WriteEnginePieces(image, c, l, codes, c.ch0, c.dsp_n, g.dsp_rows, g.dsp_piece_rows, g.cols,
                      c.dsp_w);
    WriteEnginePieces(image, c, l, codes, c.ch0 + c.dsp_n, c.lut_n, g.lut_rows, g.lut_piece_rows,
                      g.cols, c.lut_w);
  }
  return image;
}

}  // namespace msqx::accel

#pragma once
// The plain C++ golden model the pin-level blocks are checked against: integer weights from their
// hardware codes by the shared definitions (no shift-add, no packing), integer convolution in
// int64, and the documented requantization. Deliberately the most obvious code possible.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace msqx::accel::golden {

// m-bit two's complement code -> integer.
inline std::int64_t FixedWeight(std::uint32_t code, int bits) {
  const std::int64_t v = code & ((1u << bits) - 1);
  return v >= (std::int64_t{1} << (bits - 1)) ? v - (std::int64_t{1} << bits) : v;
}

// SP2 code sign | i1 (m1 bits) | i2 (m2 bits) -> (-1)^sign * (2^(K-i1) + 2^(K-i2)), absent terms 0.
inline std::int64_t Sp2Weight(std::uint32_t code, int m1, int m2) {
  const int k = (1 << m1) - 1;
  const int i2 = code & ((1 << m2) - 1);
  const int i1 = (code >> m2) & ((1 << m1) - 1);
  const bool neg = (code >> (m1 + m2)) & 1;
  const std::int64_t mag =
      (i1 ? std::int64_t{1} << (k - i1) : 0) + (i2 ? std::int64_t{1} << (k - i2) : 0);
  return neg ? -mag : mag;
}

// Requantization of an accumulator to an unsigned act_bits activation:
//   y = clamp((acc * multiplier + round) >> shift, 0, 2^act_bits - 1), round = 2^(shift-1) (0 when
//   shift = 0), >> an arithmetic shift (floor). The clamp at 0 is the ReLU.
inline std::int64_t Requantize(std::int64_t acc, std::int64_t multiplier, int shift, int act_bits) {
  const std::int64_t rounded = acc * multiplier + (shift > 0 ? std::int64_t{1} << (shift - 1) : 0);
  const std::int64_t y =
      rounded >= 0 ? rounded >> shift : -((-rounded + (std::int64_t{1} << shift) - 1) >> shift);
  return std::clamp<std::int64_t>(y, 0, (std::int64_t{1} << act_bits) - 1);
}

// A conv (or fc as 1x1 on a 1x1 input) with per-filter integer weights. Tensors are HWC (input
// [y][x][c]) and weights OHWI ([oc][ky][kx][ic], ic of length 1 when depthwise). The window is
// kh x kw with strides sh, sw and padding per side (top, left, bottom, right).
struct ConvLayer {
  int in_c = 0, in_h = 0, in_w = 0, out_c = 0;
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool depthwise = false;
  int OutH() const { return (in_h + pt + pb - kh) / sh + 1; }
  int OutW() const { return (in_w + pl + pr - kw) / sw + 1; }
  int WeightIc() const { return depthwise ? 1 : in_c; }
  // Square kernel k, stride s and padding p on every side.
  static ConvLayer Square(int in_c, int in_h, int in_w, int out_c, int k, int s, int p,
                          bool depthwise = false) {
    ConvLayer l;
    l.in_c = in_c;
    l.in_h = in_h;
    l.in_w = in_w;
    l.out_c = out_c;
    l.kh = l.kw = k;
    l.sh = l.sw = s;
    l.pt = l.pl = l.pb = l.pr = p;
    l.depthwise = depthwise;
    return l;
  }
};

// Returns accumulators in HWC order; `bias` (one integer per output channel, at the
// accumulator's scale) starts each accumulation when given.
inline std::vector<std::int64_t> Conv(const ConvLayer& l, const std::vector<std::uint8_t>& in,
                                      const std::vector<std::int64_t>& weights,
                                      const std::vector<std::int64_t>& bias = {}) {
  const int oh = l.OutH(), ow = l.OutW(), wic = l.WeightIc();
  std::vector<std::int64_t> out(static_cast<size_t>(oh) * ow * l.out_c, 0);
  for (int oy = 0; oy < oh; ++oy) {
    for (int ox = 0; ox < ow; ++ox) {
      for (int oc = 0; oc < l.out_c; ++oc) {
        std::int64_t acc = bias.empty() ? 0 : bias[oc];
        for (int ky = 0; ky < l.kh; ++ky) {
          for (int kx = 0; kx < l.kw; ++kx) {
            const int iy = oy * l.sh - l.pt + ky;
            const int ix = ox * l.sw - l.pl + kx;
            if (iy < 0 || iy >= l.in_h || ix < 0 || ix >= l.in_w) continue;
            for (int j = 0; j < wic; ++j) {
              const int ic = l.depthwise ? oc : j;
              acc += std::int64_t{in[(static_cast<size_t>(iy) * l.in_w + ix) * l.in_c + ic]} *
                     weights[((static_cast<size_t>(oc) * l.kh + ky) * l.kw + kx) * wic + j];
            }
          }
        }
        out[(static_cast<size_t>(oy) * ow + ox) * l.out_c + oc] = acc;
      }
    }
  }
  return out;
}

// Channel concatenation of HWC tensors of equal height and width: output pixel (y, x) holds the
// first tensor's channels, then the second's, and so on.
inline std::vector<std::uint8_t> Concat(const std::vector<std::vector<std::uint8_t>>& tensors,
                                        const std::vector<int>& channels, int height, int width) {
  int total = 0;
  for (int c : channels) total += c;
  std::vector<std::uint8_t> out(static_cast<size_t>(height) * width * total);
  for (int p = 0; p < height * width; ++p) {
    int offset = 0;
    for (size_t t = 0; t < tensors.size(); ++t) {
      for (int c = 0; c < channels[t]; ++c) {
        out[static_cast<size_t>(p) * total + offset + c] =
            tensors[t][static_cast<size_t>(p) * channels[t] + c];
      }
      offset += channels[t];
    }
  }
  return out;
}

}  // namespace msqx::accel::golden

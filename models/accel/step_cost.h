#pragma once
// The cost of one schedule step on a core instance, written once: what a step loads, how many
// beats and lane-loading cycles it takes, what it stores, and whether it fits the instance's
// buffers. Plain C++ (no SystemC, no msqx headers): the pin-level core's Fits, the cycle fidelity
// (step_timing.cpp), the analytic model (dse/analytic.cpp) and the sizing (core_sizing.cpp) all
// call it, and `msqx hls` copies it into exported projects with the core.
//
// The core's timing, cycle by cycle, with an ideal memory (docs/models.md, "Timing"); for step i
// taken at h_i with N_i load items, B_i = blocks (row group x channel group x tap) of I_i issue
// cycles each (I_i = P_i, the pixels; depthwise, the window columns: CostOf), Q lane-loading
// cycles per block, M_i = max(I_i, Q):
//   X_i = max(X_{i-1}, h_i + 2) + N_i           last load beat (beats answer in order)
//   c_i = max(X_i + 1, s_{i-1}, bank free)       the lane loader starts the step's first word
//   a_i = max(z_{i-1} + 1, c_i + Q)              its first beat (the first word swapped in)
//   s_i = a_i + (B_i - 1) M_i                    its last block's first beat
//   z_i = s_i + I_i - 1                          its last beat
//   W_i = z_i + Write()                          its last partial sum written
//   last chunk of tile T: S_T = max(W_i, F_{T-1}) + 1, F_T = S_T + words_T + Read()
//   h_{i+1} = max(h_i + N_i + 1, z_{i-1}) + 1 double-buffered (the requester is free once its
//             last request is out); (last chunk ? F_T : W_i) + 1 otherwise
// "bank free" (double-buffered, first chunk of tile T): F_{T-2}. The last activation is stored at
// F of the last tile.

#include <cstdint>

namespace msqx::accel {

// The geometry of a core instance that the schedule and the step costs depend on.
struct CoreGeometry {
  int dsp_rows = 1, lut_rows = 1;
  int cols = 1;                                // both engines: one broadcast input vector
  int tile_ic = 1;                             // channels of an input word and of a load beat
  int dsp_piece_rows = 1, lut_piece_rows = 1;  // weight rows per buffer word
  int dsp_pack = 1;                            // products per DSP (macs_per_dsp)
  int dw_k = 1;                 // depthwise window side the lanes hold (pe::DwWindowOf(cols))
  int in_banks = 1;             // input-buffer banks (pe::DwBanksOf(dw_k))
  bool dsp = true, lut = true;  // the engine exists
  int DspPieces() const { return (dsp_rows + dsp_piece_rows - 1) / dsp_piece_rows; }
  int LutPieces() const { return (lut_rows + lut_piece_rows - 1) / lut_piece_rows; }
  // Lane-loading cycles of one word: the engines load theirs side by side.
  int Pieces() const {
    const int d = dsp ? DspPieces() : 0, l = lut ? LutPieces() : 0;
    return d > l ? d : l;
  }
  // Channels of one row group in depthwise mode: a row of lanes takes a channel, except that the
  // two products of a packed DSP share its activation, so there a DSP takes one.
  int DspDwSlots() const { return dsp_rows / dsp_pack; }
};

// A core instance: its geometry, buffer depths (words per half, partial sums per bank), the
// longest dot product its partial sums hold, and the parts that set its timing.
struct CoreParams {
  CoreGeometry geo;
  int in_depth = 0;
  int dsp_weight_depth = 0, lut_weight_depth = 0;  // weight pieces per half
  int dsp_out_depth = 0, lut_out_depth = 0;        // partial-sum words per bank
  long long max_depth = 0;
  int bram_latency = 1;
  bool double_buffered = false;
  // Cycles from a BRAM read's issue to its data at the controller, from a beat's issue to its sums
  // (kRead + 1 + the array's three stages), and to their write into the partial sums.
  int Read() const { return bram_latency + 1; }
  int SumDelay() const { return Read() + 1 + 3; }
  int Write() const { return SumDelay() + Read(); }
};

// The layer as the engines see it (LayerRegs' compute fields).
struct StepLayer {
  int in_c = 1, kh = 1, kw = 1, sh = 1, sw = 1;  // kw, sw: the engines' (folded: 1)
  long long acc_depth = 1;
  bool dw = false;  // depthwise: a channel per row (unit), its taps across the columns
};

// The step (StepCmd's extents and filter counts).
struct StepDims {
  int out_rows = 1, out_cols = 1, in_chs = 1, dsp_n = 0, lut_n = 0;
};

struct StepCost {
  long long win_rows = 0, win_cols = 0, win_words = 0;
  long long pitch = 0;     // input-buffer words between window rows (depthwise: = 1 mod banks)
  long long in_words = 0;  // input-buffer words the window spans
  long long pixels = 0, groups = 0, taps = 0;
  long long dsp_ogs = 0, lut_ogs = 0, ogs = 0;
  long long blocks = 0;                      // ogs x groups x taps
  long long dsp_pieces = 0, lut_pieces = 0;  // weight pieces loaded (present rows only)
  long long items = 0;                       // load items: window words and pieces
  long long beats = 0;                       // blocks x pixels, one per cycle to both engines
  long long dsp_beats = 0, lut_beats = 0;    // beats in which the engine has filters
  long long dsp_words = 0, lut_words = 0;    // partial-sum words: ogs_e x pixels
  long long block_issue = 0;   // issue cycles of a block: its pixels, depthwise with the window
  long long block_cycles = 0;  // M = max(block_issue, lane-loading cycles)
  long long issue_span = 0;    // first to last issue, inclusive: (blocks-1) M + block_issue
  long long StoreWords() const { return dsp_words > lut_words ? dsp_words : lut_words; }
};

inline long long CeilDivLL(long long a, long long b) { return (a + b - 1) / b; }
inline long long MinLL(long long a, long long b) { return a < b ? a : b; }

// Weight pieces of an engine's n filters: row groups of `slots` filters, each filter on
// `rows_per_slot` rows (2 for a packed DSP's depthwise channel), a group's present rows in pieces
// of piece_rows rows, per channel group and tap.
inline long long PiecesOfEngine(long long n, int slots, int rows_per_slot, int rows, int piece_rows,
                                long long per_group) {
  if (n == 0) return 0;
  const long long ogs = CeilDivLL(n, slots);
  const long long last = MinLL(rows, (n - (ogs - 1) * slots) * rows_per_slot);
  return ((ogs - 1) * CeilDivLL(rows, piece_rows) + CeilDivLL(last, piece_rows)) * per_group;
}

// Depthwise tap groups: windows of min(k, dw_k) taps per dimension that cover the kernel.
inline long long DwTapGroups(int kh, int kw, int dw_k) {
  return CeilDivLL(kh, MinLL(kh, dw_k)) * CeilDivLL(kw, MinLL(kw, dw_k));
}

// Depthwise (l.dw, docs/design.md "Depthwise"): a row group holds a channel per row (per DSP when
// packed); the columns hold a kg x kg window of its taps (kg = min(k, dw_k) per dimension; larger
// kernels in tap groups of such windows, each a block). A block walks the tile row by row: the
// first pixel of a row loads kg window columns, each later pixel min(stride, kg) new ones, one
// column per cycle (its kg words from kg distinct input-buffer banks: window rows lie `pitch`
// words apart, pitch = 1 mod banks), the pixel's beat with its last column.
inline StepCost CostOf(const StepLayer& l, const StepDims& s, const CoreParams& core) {
  const CoreGeometry& g = core.geo;
  StepCost c;
  c.win_rows = static_cast<long long>(s.out_rows - 1) * l.sh + l.kh;
  c.win_cols = static_cast<long long>(s.out_cols - 1) * l.sw + l.kw;
  c.win_words = c.win_rows * c.win_cols;
  c.pixels = static_cast<long long>(s.out_rows) * s.out_cols;
  int dsp_slots = g.dsp_rows, lut_slots = g.lut_rows, dsp_rows_per_slot = 1;
  c.pitch = c.win_cols;
  c.block_issue = c.pixels;
  if (l.dw) {
    const long long kgw = MinLL(l.kw, g.dw_k);
    c.groups = DwTapGroups(l.kh, l.kw, g.dw_k);
    c.taps = 1;
    dsp_slots = g.DspDwSlots();
    dsp_rows_per_slot = g.dsp_pack;
    const long long banks = g.in_banks;
    c.pitch = c.win_cols + ((1 - c.win_cols) % banks + banks) % banks;
    c.block_issue = s.out_rows * (kgw + (s.out_cols - 1) * MinLL(l.sw, kgw));
  } else {
    c.groups = CeilDivLL(s.in_chs, g.cols);
    c.taps = static_cast<long long>(l.kh) * l.kw;
  }
  c.in_words = (c.win_rows - 1) * c.pitch + c.win_cols;
  c.dsp_ogs = s.dsp_n > 0 ? CeilDivLL(s.dsp_n, dsp_slots) : 0;
  c.lut_ogs = s.lut_n > 0 ? CeilDivLL(s.lut_n, lut_slots) : 0;
  c.ogs = c.dsp_ogs > c.lut_ogs ? c.dsp_ogs : c.lut_ogs;
  c.blocks = c.ogs * c.groups * c.taps;
  c.dsp_pieces = PiecesOfEngine(s.dsp_n, dsp_slots, dsp_rows_per_slot, g.dsp_rows, g.dsp_piece_rows,
                                c.groups * c.taps);
  c.lut_pieces =
      PiecesOfEngine(s.lut_n, lut_slots, 1, g.lut_rows, g.lut_piece_rows, c.groups * c.taps);
  c.items = c.win_words + c.dsp_pieces + c.lut_pieces;
  c.beats = c.blocks * c.pixels;
  c.dsp_beats = c.dsp_ogs * c.groups * c.taps * c.pixels;
  c.lut_beats = c.lut_ogs * c.groups * c.taps * c.pixels;
  c.dsp_words = c.dsp_ogs * c.pixels;
  c.lut_words = c.lut_ogs * c.pixels;
  const long long q = g.Pieces();
  c.block_cycles = c.block_issue > q ? c.block_issue : q;
  c.issue_span = (c.blocks - 1) * c.block_cycles + c.block_issue;
  return c;
}

// Empty ("") when the step fits the instance, else the reason.
inline const char* Misfit(const StepLayer& l, const StepDims& s, const CoreParams& core,
                          const StepCost& c) {
  const CoreGeometry& g = core.geo;
  if (s.in_chs < 1 || s.in_chs > g.tile_ic) return "input chunk wider than the input word";
  if (s.dsp_n + s.lut_n < 1) return "a step without filters";
  if ((s.dsp_n > 0 && !g.dsp) || (s.lut_n > 0 && !g.lut)) return "filters for an absent engine";
  if (l.dw && s.in_chs != s.dsp_n + s.lut_n) return "a depthwise step's channels are its filters";
  if (c.in_words > core.in_depth) return "input window larger than the input buffer";
  if (c.dsp_ogs * c.groups * c.taps * g.DspPieces() > core.dsp_weight_depth ||
      c.lut_ogs * c.groups * c.taps * g.LutPieces() > core.lut_weight_depth) {
    return "weights larger than a weight buffer";
  }
  if (c.dsp_words > core.dsp_out_depth || c.lut_words > core.lut_out_depth) {
    return "partial sums larger than an output buffer";
  }
  if (l.acc_depth > core.max_depth) return "dot product longer than the partial sums hold";
  return "";
}

}  // namespace msqx::accel

#pragma once
// The pin-level accelerator core for one layer: a controller that executes the tile schedule's
// step commands, a DSP engine and a LUT engine fed from the shared input buffer, a weight buffer
// and an output (partial-sum) buffer per engine, requantization with ReLU on the way out, and
// valid/ready streams towards the memory system (load requests, load data, stores).
//
// Processes: one controller SC_CTHREAD (load, compute sequencing, accumulation, store), one per PE
// array, one per BRAM. Per step command there are three phases; the loader works on one step
// while the computer works on an earlier one when the input and weight buffers are
// double-buffered (CoreConfig OverlapLoad), and a separate storer stores a finished output tile
// while the next computes when the partial-sum buffers are too (OverlapStore); otherwise one
// step finishes before the next is taken (timing: docs/models.md):
//   load     one request per item, one beat per item, items in this order: the input window
//            (rows x cols of the tile's input including halo and padding, one word = in_chs
//            channels of one pixel), then the DSP weights, then the LUT weights (per engine:
//            row group og, channel group g, ky, kx, row r; one beat = one filter's cols weights).
//   compute  both engines at once, one beat per cycle each: for og, output pixel, g, ky, kx:
//            read the input word and the weight word, give the array act lanes [g*C, g*C + C);
//            each finished dot product is added into the engine's output buffer (first chunk:
//            written; later chunks: read, add, write).
//   store    (last chunk only) DSP then LUT: per og and pixel, read the sums, requantize each of
//            the group's filters and send one StoreBeat per output activation.

#include <cstdint>
#include <string>
#include <systemc>

#include "models/accel/core_ports.h"
#include "models/mem/bram.h"
#include "models/pe/pe_array.h"

namespace msqx::accel {

// A core instance: the two arrays, the input word width and the buffer depths (words per half).
// Any type with these members configures AccelCore; the HLS export writes one with depths per
// engine (core_sizing.h), the tests use this template with one depth for both engines.
template <typename DspArrayCfg, typename LutArrayCfg, int TileIc, int InDepth, int WeightDepth,
          int OutDepth, int BramLatency = 1, bool OverlapLoad = false, bool OverlapStore = false>
struct CoreConfig {
  using Dsp = DspArrayCfg;
  using Lut = LutArrayCfg;
  static constexpr int kTileIc = TileIc;    // input channels per input word (tile.in_channels)
  static constexpr int kInDepth = InDepth;  // input window pixels (per half)
  static constexpr int kDspWeightDepth = WeightDepth;  // weight words per engine (per half)
  static constexpr int kLutWeightDepth = WeightDepth;
  static constexpr int kDspOutDepth = OutDepth;  // partial-sum words per engine (og x pixels)
  static constexpr int kLutOutDepth = OutDepth;
  static constexpr int kBramLatency = BramLatency;
  // Double-buffered input and weight buffers: the next step loads while this one computes.
  static constexpr bool kOverlapLoad = OverlapLoad;
  static constexpr int kHalves = OverlapLoad ? 2 : 1;
  // Double-buffered partial-sum buffers: a finished output tile is stored while the next one
  // computes. Builds on OverlapLoad (the store runs beside the loader and the computer).
  static constexpr bool kOverlapStore = OverlapStore;
  static constexpr int kOutHalves = OverlapStore ? 2 : 1;
  static_assert(!OverlapStore || OverlapLoad, "OverlapStore needs OverlapLoad");
};

namespace detail {
inline long long Min(long long a, long long b) { return a < b ? a : b; }
inline long long Max(long long a, long long b) { return a > b ? a : b; }
}  // namespace detail

// One engine: its PE array, weight buffer and output buffer with the signals that join them to the
// controller. A modular interface (sc_module + sc_interface; ICSC flattens it into the core),
// because a record may not hold modules or signals. WHalf/OHalf: weight and partial-sum words per
// half; the buffers hold Halves/OutHalves of them.
template <typename ArrCfg, int Ic, int WHalf, int Halves, int OHalf, int OutHalves, int Lat>
struct EngineBlock : sc_core::sc_module, sc_core::sc_interface {
  static constexpr int kR = ArrCfg::kRows, kC = ArrCfg::kCols;
  static constexpr int kWHalf = WHalf, kOHalf = OHalf;
  using Array = pe::PeArray<ArrCfg>;
  using WWord = pe::Bus<std::uint8_t, kR * kC>;
  using OWord = pe::AccBus<kR>;
  using WBram = mem::Bram<mem::BramConfig<std::uint8_t, kR * kC, WHalf * Halves, Lat, false>>;
  using OBram = mem::Bram<mem::BramConfig<std::int32_t, kR, OHalf * OutHalves, Lat, false>>;
  static_assert(Ic >= kC, "an input word must hold one channel group of the array");
  static_assert(WHalf * Halves <= kMaxDim && OHalf * OutHalves <= kMaxDim,
                "buffer words exceed Dim");

  Array array{"array"};
  WBram wbuf{"wbuf"};
  OBram obuf{"obuf"};
  sc_core::sc_signal<bool> in_valid{"in_valid"}, in_ready{"in_ready"}, out_valid{"out_valid"},
      out_ready{"out_ready"};
  sc_core::sc_signal<typename Array::InBus> in_data{"in_data"};
  sc_core::sc_signal<typename Array::OutBus> out_data{"out_data"};
  sc_core::sc_signal<typename WBram::Flags> w_aen{"w_aen"}, w_awe{"w_awe"}, w_ben{"w_ben"},
      w_bwe{"w_bwe"};
  sc_core::sc_signal<typename WBram::Addrs> w_aaddr{"w_aaddr"}, w_baddr{"w_baddr"};
  sc_core::sc_signal<typename WBram::Words> w_awdata{"w_awdata"}, w_bwdata{"w_bwdata"},
      w_ardata{"w_ardata"}, w_brdata{"w_brdata"};
  sc_core::sc_signal<typename OBram::Flags> o_aen{"o_aen"}, o_awe{"o_awe"}, o_ben{"o_ben"},
      o_bwe{"o_bwe"};
  sc_core::sc_signal<typename OBram::Addrs> o_aaddr{"o_aaddr"}, o_baddr{"o_baddr"};
  sc_core::sc_signal<typename OBram::Words> o_awdata{"o_awdata"}, o_bwdata{"o_bwdata"},
      o_ardata{"o_ardata"}, o_brdata{"o_brdata"};

  explicit EngineBlock(const sc_core::sc_module_name& name) : sc_module(name) {}

  void Bind(sc_core::sc_in<bool>& clk, sc_core::sc_in<bool>& rst) {
    array.clk(clk);
    array.rst(rst);
    array.in_valid(in_valid);
    array.in_ready(in_ready);
    array.in_data(in_data);
    array.out_valid(out_valid);
    array.out_ready(out_ready);
    array.out_data(out_data);
    wbuf.clk(clk);
    wbuf.rst(rst);
    wbuf.a_en(w_aen);
    wbuf.a_we(w_awe);
    wbuf.a_addr(w_aaddr);
    wbuf.a_wdata(w_awdata);
    wbuf.a_rdata(w_ardata);
    wbuf.b_en(w_ben);
    wbuf.b_we(w_bwe);
    wbuf.b_addr(w_baddr);
    wbuf.b_wdata(w_bwdata);
    wbuf.b_rdata(w_brdata);
    obuf.clk(clk);
    obuf.rst(rst);
    obuf.a_en(o_aen);
    obuf.a_we(o_awe);
    obuf.a_addr(o_aaddr);
    obuf.a_wdata(o_awdata);
    obuf.a_rdata(o_ardata);
    obuf.b_en(o_ben);
    obuf.b_we(o_bwe);
    obuf.b_addr(o_baddr);
    obuf.b_wdata(o_bwdata);
    obuf.b_rdata(o_brdata);
  }

  // Sequencer and accumulation state, owned by the controller thread (reset by it). Loops count
  // in the units their bounds come in (f0 = row group x kR filters, gc = channel group x kC
  // channels) and addresses advance by additions, so that the hardware has no divider and no
  // multiplier per beat (docs/hls.md, "Controller arithmetic").
  Dim n, ch0;  // filters of this step
  Dim pixels;
  Dim f0, gc, ky, kx, ox, oy;  // issue sequencer: filters, channels, tap, output pixel
  Dim in_row, in_pix,
      in_tap;        // input word address parts: oy*stride*win_cols, + ox*stride, ky*win_cols
  Dim w_addr, w_og;  // weight word address, and the first word of this row group
  Dim out_f0, out_pix, out_addr;  // the sums the array emits next: filters, pixel, word address
  // Tags of reads in flight (BRAM latency + 1 for the controller's own register). Records in
  // arrays carry no in-place initializers and no records (ICSC): the controller resets them, and
  // the sums of a pending read-modify-write are a plain array.
  struct Tag {
    bool valid, first, last;
    Dim gc;
  };
  Tag tags[Lat + 1];
  struct Pending {
    bool valid;
    std::uint32_t addr;
    std::int32_t sums[kR];
  };
  Pending rmw[Lat + 1];
  WWord wword;  // weight word being assembled during the load
  OWord sword;  // sums being stored
};

template <typename Cfg>
struct AccelCore : sc_core::sc_module {
  static constexpr int kIc = Cfg::kTileIc;
  static constexpr int kL = Cfg::kBramLatency;
  static constexpr int kInHalf = Cfg::kInDepth;
  static_assert(kInHalf * Cfg::kHalves <= kMaxDim, "input buffer words exceed Dim");
  using Dsp = EngineBlock<typename Cfg::Dsp, kIc, Cfg::kDspWeightDepth, Cfg::kHalves,
                          Cfg::kDspOutDepth, Cfg::kOutHalves, kL>;
  using Lut = EngineBlock<typename Cfg::Lut, kIc, Cfg::kLutWeightDepth, Cfg::kHalves,
                          Cfg::kLutOutDepth, Cfg::kOutHalves, kL>;
  using InWord = pe::Bus<std::uint8_t, kIc>;
  using LoadBeat = InWord;
  // Two replicas of the input buffer (banks written together, each read by one engine).
  using InBram =
      mem::Bram<mem::BramConfig<std::uint8_t, kIc, kInHalf * Cfg::kHalves, kL, false, 2>>;

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  sc_core::sc_in<LayerRegs> regs{"regs"};
  sc_core::sc_in<bool> cmd_valid{"cmd_valid"};
  sc_core::sc_out<bool> cmd_ready{"cmd_ready"};
  sc_core::sc_in<StepCmd> cmd{"cmd"};
  sc_core::sc_out<bool> ld_req_valid{"ld_req_valid"};
  sc_core::sc_in<bool> ld_req_ready{"ld_req_ready"};
  sc_core::sc_out<LoadReq> ld_req{"ld_req"};
  sc_core::sc_in<bool> ld_valid{"ld_valid"};
  sc_core::sc_out<bool> ld_ready{"ld_ready"};
  sc_core::sc_in<LoadBeat> ld_data{"ld_data"};
  sc_core::sc_out<bool> st_valid{"st_valid"};
  sc_core::sc_in<bool> st_ready{"st_ready"};
  sc_core::sc_out<StoreBeat> st_data{"st_data"};

  Dsp dsp{"dsp"};
  Lut lut{"lut"};
  InBram in_buf{"in_buf"};

  SC_HAS_PROCESS(AccelCore);
  explicit AccelCore(const sc_core::sc_module_name& name);

  // Empty when a command fits this instance's buffers and word widths, else the reason. Checked
  // by whoever builds the command stream (the core itself trusts its host).
  static std::string Fits(const LayerRegs& r, const StepCmd& c) {
    const int win =
        ((c.out_rows - 1) * r.stride + r.kernel) * ((c.out_cols - 1) * r.stride + r.kernel);
    const int pixels = c.out_rows * c.out_cols;
    const auto words = [&](int n, int rows, int cols) {
      return (n + rows - 1) / rows * ((c.in_chs + cols - 1) / cols) * r.kernel * r.kernel;
    };
    const auto sums = [&](int n, int rows) { return (n + rows - 1) / rows * pixels; };  // per half
    const long long depth =
        static_cast<long long>(r.depthwise ? 1 : c.in_chs) * r.kernel * r.kernel;
    const std::string regs_fit = RegsFit(r);
    if (!regs_fit.empty()) return regs_fit;
    if (c.in_chs > kIc) return "input chunk wider than the input word";
    if (win > Cfg::kInDepth) return "input window larger than the input buffer";
    if (words(c.dsp_n, Dsp::kR, Dsp::kC) > Cfg::kDspWeightDepth ||
        words(c.lut_n, Lut::kR, Lut::kC) > Cfg::kLutWeightDepth) {
      return "weights larger than a weight buffer";
    }
    if (sums(c.dsp_n, Dsp::kR) > Cfg::kDspOutDepth || sums(c.lut_n, Lut::kR) > Cfg::kLutOutDepth) {
      return "partial sums larger than an output buffer";
    }
    if (depth > Cfg::Dsp::kMaxDepth || depth > Cfg::Lut::kMaxDepth) {
      return "dot product longer than the arrays' accumulators are sized for";
    }
    return "";
  }

 private:
  // What a step needs besides its command, worked out when the command is taken: the loop bounds
  // and the first addresses, the only products the controller forms (once per step). Flat (ICSC
  // takes no record inside a record): the command's fields, then per-engine fields as arrays
  // indexed by engine (0 DSP, 1 LUT).
  struct StepInfo {
    Dim out_row0, out_rows, out_col0, out_cols, in_ch0, in_chs;
    bool first_chunk, last_chunk;
    Dim win_rows, win_cols, pixels;
    Dim row_step;                  // input words between output rows: stride x win_cols
    Dim iy0, ix0;                  // input pixel of the window's first word (negative: padding)
    Addr in_addr0;                 // its element address in the input tensor (HWC)
    Addr in_row_elems;             // elements per input row: in_w x in_c
    Addr out_addr0;                // element address of the tile's first output pixel (HWC)
    Addr out_row_elems;            // elements per output row: out_w x out_c
    Dim taps;                      // kernel x kernel
    Addr tap_elems, filter_elems;  // weight elements per tap and per filter (OHWI; depthwise OHW)
    Dim e_n[2], e_ch0[2];
    Addr e_waddr0[2];  // element address of the engine's first filter
  };
  StepInfo MakeStepInfo(const StepCmd& c) const;

  // Where the loader is in a step's items (core.h's header: the input window, then the DSP
  // weights, then the LUT weights). The loader keeps one walk for its requests and one for the
  // beats that answer them; both step through the same items, the requests ahead.
  struct LoadWalk {
    Dim phase;            // 0 input window, 1 DSP weights, 2 LUT weights, 3 all walked
    Dim word;             // buffer word of the item
    Dim wy, wx, iy, ix;   // input window: word position and its input pixel
    Addr row_addr, addr;  // element addresses of the window row's first pixel and this one
    Dim f0, gc, tap, r;   // weights: filters, channels, tap and row of the item
    Addr og_addr, tap_addr, r_addr;  // element address parts of the item
  };
  void StartWalk(LoadWalk& w, const StepInfo& s) const;
  // The item counters and the first word at the start of a phase (og_addr: its first filter).
  void StartItems(LoadWalk& w, Addr og_addr) const;
  void NextPhase(LoadWalk& w, const StepInfo& s) const;
  void Advance(LoadWalk& w, const StepInfo& s) const;
  template <typename E>
  void AdvanceWeights(LoadWalk& w, const StepInfo& s, int k) const;
  // The request for the walk's item, and (weights) the lane of its first element in the word.
  void Request(const LoadWalk& w, const StepInfo& s, LoadReq& req, int& lane0) const;
  template <typename E>
  void WeightRequest(const LoadWalk& w, const StepInfo& s, int k, LoadReq& req, int& lane0) const;

  void Run();
  template <typename E>
  void ReceiveWeight(E& e, const LoadWalk& w, const StepInfo& s, int k, const LoadBeat& beat,
                     int half);
  template <typename E>
  void StartEngine(E& e, int k);
  template <typename E>
  void ComputeCycle(E& e, int bank, const typename InBram::Words& in_words,
                    typename InBram::Addrs& in_addr, typename InBram::Flags& in_en);
  // All beats issued, all sums out of the array and written (no read-modify-write in flight).
  template <typename E>
  static bool EngineDone(const E& e) {
    bool rmw = false;
    for (int i = 0; i <= kL; ++i) rmw = rmw || e.rmw[i].valid;
    return e.f0 >= e.n && e.out_f0 >= e.n && !rmw;
  }
  void StartStore(const StepInfo& s, int engine);
  bool StoreStep(const StepInfo& s, int half);
  template <typename E>
  bool StoreCycle(E& e, const StepInfo& s, int k, int half, Mult mult, int shift);
  template <typename E>
  static void Quiet(E& e);
  // Which half step number n uses: steps alternate halves when there are two.
  static int HalfOf(int n, int halves) { return halves == 2 ? (n & 1) : 0; }

  sc_core::sc_signal<typename InBram::Flags> i_aen{"i_aen"}, i_awe{"i_awe"}, i_ben{"i_ben"},
      i_bwe{"i_bwe"};
  sc_core::sc_signal<typename InBram::Addrs> i_aaddr{"i_aaddr"}, i_baddr{"i_baddr"};
  sc_core::sc_signal<typename InBram::Words> i_awdata{"i_awdata"}, i_bwdata{"i_bwdata"},
      i_ardata{"i_ardata"}, i_brdata{"i_brdata"};

  // Controller registers. The loader fills half HalfOf(taken) and keeps its step in
  // info_[half]; the computer copies a loaded step into cp_ when it starts it, so that the loader
  // may move on to the next step. Step counts are 32-bit: a layer has far fewer steps.
  LayerRegs r_;
  StepInfo info_[Cfg::kHalves];
  StepInfo cp_;
  int taken_ = 0, loaded_ = 0, freed_ = 0, done_ = 0;  // steps per milestone
  bool loading_ = false;
  enum class CpState { kIdle, kCompute, kStore };
  CpState cp_state_ = CpState::kIdle;
  int cp_half_ = 0, cp_out_half_ = 0;
  int tiles_ = 0;  // output tiles started (a first chunk starts one)
  // Storer (OverlapStore): the step it stores and its partial-sum half, and the same for a store
  // waiting to start.
  StepInfo st_info_, pend_info_;
  int st_half_ = 0, pend_half_ = 0;
  bool st_pending_ = false, storing_ = false;
  bool half_busy_[2] = {false, false};  // partial-sum half holds a tile not yet stored
  LoadWalk req_w_, rcv_w_;
  bool req_v_ = false, st_v_ = false;
  // Store sequencing: engine, filters, output pixel, row, cycles until the read data is there,
  // the partial-sum word and the element addresses of the output row and pixel.
  Dim st_e_ = 0, st_f0_ = 0, st_px_ = 0, st_py_ = 0, st_r_ = 0, st_wait_ = 0;
  Dim st_raddr_ = 0;
  Addr st_row_addr_ = 0, st_pix_addr_ = 0;
};

namespace cfg {
// The benchmark's instance: DSP 16x16 with two products per DSP, LUT 16x24,
// 48-channel input words, buffers of 256 words.
using BenchCore = CoreConfig<pe::cfg::DspArray, pe::cfg::LutArray, 48, 256, 256, 256>;
// The same with double-buffered input, weight and partial-sum buffers (DESIGN.md's template).
using BenchCoreDb =
    CoreConfig<pe::cfg::DspArray, pe::cfg::LutArray, 48, 256, 256, 256, 1, true, true>;
}  // namespace cfg
using AccelCoreTop = AccelCore<cfg::BenchCoreDb>;

}  // namespace msqx::accel

#include "models/accel/core_impl.h"

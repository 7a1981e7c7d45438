#pragma once
// The pin-level accelerator core for one layer: a controller that executes the tile schedule's
// step commands, a DSP engine and a LUT engine fed one broadcast input word per cycle from a
// single input buffer, a weight buffer and a partial-sum buffer per engine, and a store path per
// engine that requantizes a whole partial-sum word per cycle (docs/models.md, "Accelerator core").
//
// Processes: one controller SC_CTHREAD, one per PE array, one per BRAM. The controller's
// sub-machines act in every cycle, in this order:
//   storers     per engine, a finished output tile: read a partial-sum word per cycle, requantize
//               it (with ReLU) and send it as one StoreWord; both engines at once
//   accumulate  per engine, every sum the array emits: read, add and write the partial sum of its
//               pixel (the first block of a first chunk writes without reading)
//   sequencer   one beat per cycle to both engines in lockstep, weight-stationary: for row group,
//               channel group, tap: the lanes hold that word's weights while every output pixel
//               of the tile passes; the next word's pieces load into the lanes' shadow registers
//               meanwhile (the lane loader, one piece per cycle per engine)
//   loader      one request per item, one beat per item: the input window (one word per pixel,
//               or per run of pixels when folded), then the DSP engine's weight pieces, then the
//               LUT engine's, each a full load word
// Depthwise layers (CoreRegs::dw; docs/design.md "Depthwise") run a channel per row of lanes
// (per DSP when packed) with its taps across the columns: the sequencer sends a window column
// per cycle, read from as many input-buffer banks, which the lanes shift into their windows, and
// a pixel's beat with its last column; the rest (weights per block, partial sums, stores) is the
// dense machinery.
// Double-buffered (CoreConfig DoubleBuffered): input and weight buffers have two halves, so the
// loader fills one while the sequencer reads the other, and the partial-sum buffers two banks, so
// a tile is stored from one while the next tile accumulates in the other. Otherwise each step
// loads, computes and stores before the next is taken. Timing: docs/models.md and step_cost.h.

#include <cstdint>
#include <string>
#include <systemc>

#include "models/accel/core_ports.h"
#include "models/mem/bram.h"
#include "models/pe/pe_array.h"
#include "models/pe/stream.h"

namespace msqx::accel {

// A core instance: the two arrays, the input word width, the buffer depths and the longest dot
// product. Any type with these members configures AccelCore; the HLS export writes one with
// depths per engine (core_sizing.h), the tests use this template.
template <typename DspArrayCfg, typename LutArrayCfg, int TileIc, int InDepth, int WeightDepth,
          int OutDepth, long long MaxDepth, int BramLatency = 1, bool DoubleBuffered = false>
struct CoreConfig {
  using Dsp = DspArrayCfg;
  using Lut = LutArrayCfg;
  static constexpr int kTileIc = TileIc;               // channels per input word and load beat
  static constexpr int kInDepth = InDepth;             // input words per half
  static constexpr int kDspWeightDepth = WeightDepth;  // weight pieces per half
  static constexpr int kLutWeightDepth = WeightDepth;
  static constexpr int kDspOutDepth = OutDepth;  // partial-sum words per bank (row group x pixel)
  static constexpr int kLutOutDepth = OutDepth;
  static constexpr long long kMaxDepth = MaxDepth;  // longest dot product the sums must hold
  static constexpr int kBramLatency = BramLatency;
  static constexpr bool kDoubleBuffered = DoubleBuffered;
};

namespace detail {

// A BRAM's ports to the signals of its two ports.
template <typename B, typename F, typename A, typename W>
void BindBram(B& b, sc_core::sc_in<bool>& clk, sc_core::sc_in<bool>& rst, F& aen, F& awe, A& aaddr,
              W& awdata, W& ardata, F& ben, F& bwe, A& baddr, W& bwdata, W& brdata) {
  b.clk(clk);
  b.rst(rst);
  b.a_en(aen);
  b.a_we(awe);
  b.a_addr(aaddr);
  b.a_wdata(awdata);
  b.a_rdata(ardata);
  b.b_en(ben);
  b.b_we(bwe);
  b.b_addr(baddr);
  b.b_wdata(bwdata);
  b.b_rdata(brdata);
}
}  // namespace detail

// One engine: its PE array, weight buffer and partial-sum buffer with the signals that join them
// to the controller, and the controller's registers of that engine. A modular interface
// (sc_module + sc_interface; ICSC flattens it into the core), because a record may not hold
// modules or signals.
template <typename ArrCfg, typename Cfg, int WDepth, int ODepth>
struct EngineBlock : sc_core::sc_module, sc_core::sc_interface {
  static constexpr int kR = ArrCfg::kRows, kC = ArrCfg::kCols;
  static constexpr int kL = Cfg::kBramLatency;
  static constexpr int kHalves = Cfg::kDoubleBuffered ? 2 : 1;
  static constexpr int kWHalf = WDepth, kOBank = ODepth;
  static constexpr int kPieceLanes = ArrCfg::kPieceRows * kC;
  static constexpr int kPieces = ArrCfg::kPieces;
  static constexpr int kPack = ArrCfg::kMacsPerDsp;  // depthwise: a channel per kPack rows
  // Partial sums hold the longest dot product: the fixed-point or SP2 accumulator width.
  static constexpr int kAccBits =
      ArrCfg::kKind == pe::PeKind::kFixed
          ? pe::FixedAccBits(ArrCfg::kWeightBits, ArrCfg::kActBits, Cfg::kMaxDepth)
          : pe::Sp2AccBits(ArrCfg::kSp2M1, ArrCfg::kActBits, Cfg::kMaxDepth);
  // A BRAM read issued in cycle t is seen by the controller in t + kL + 1.
  static constexpr int kRead = kL + 1;
  static constexpr int kQueue = kRead + 2;  // store words read and not yet sent
  // The queue's counts and indices (0..kQueue) are masked to their bits where they are assigned,
  // so that the translation keeps them narrow: ICSC makes every int 32 bits, and a 32-bit index
  // of a four-word queue was a 32-bit shifter in Yosys (issue 20).
  static constexpr int kQMask = (1 << CeilLog2(kQueue + 1)) - 1;
  using Array = pe::PeArray<ArrCfg>;
  using Piece = typename Array::Piece;
  using OWord = pe::AccBus<kR>;
  using Store = StoreWord<kR>;
  // The buffers keep a code's kWeightBits and a partial sum's kAccBits (the resource model's
  // widths).
  using WBram = mem::Bram<mem::BramConfig<std::uint8_t, kPieceLanes, WDepth * kHalves, kL, false, 1,
                                          ArrCfg::kWeightBits>>;
  // One bank per half: the accumulator and the storer never share a bank's ports.
  using OBram = mem::Bram<mem::BramConfig<std::int32_t, kR, ODepth, kL, false, kHalves, kAccBits>>;
  static_assert(Cfg::kTileIc >= kPieceLanes, "a load beat carries at least one weight piece");
  static_assert(Cfg::kTileIc >= kC, "an input word holds at least one channel group");
  static_assert(kAccBits <= 32, "partial sums are 32-bit words");
  // A partial sum at its kAccBits, sign-extended by shifts: in the translation its upper bits are
  // wires of its sign, so registers holding them merge and adders lose their upper bits.
  static std::int32_t Sum(std::int32_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << (32 - kAccBits)) >>
           (32 - kAccBits);
  }
  static_assert(WDepth * kHalves <= kMaxDim && ODepth <= kMaxDim, "buffer words exceed Dim");

  Array array{"array"};
  WBram wbuf{"wbuf"};
  OBram obuf{"obuf"};
  pe::Channel<typename Array::InBus> in{"in"};
  pe::Channel<Piece> wl{"wl"};
  pe::Channel<OWord> out{"out"};
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
    array.in.Bind(in);
    array.wl.Bind(wl);
    array.out.Bind(out);
    detail::BindBram(wbuf, clk, rst, w_aen, w_awe, w_aaddr, w_awdata, w_ardata, w_ben, w_bwe,
                     w_baddr, w_bwdata, w_brdata);
    detail::BindBram(obuf, clk, rst, o_aen, o_awe, o_aaddr, o_awdata, o_ardata, o_ben, o_bwe,
                     o_baddr, o_bwdata, o_brdata);
  }

  // The accumulator's reads in flight (BRAM latency) and its last writes (forwarded to a read
  // that was issued before they landed). Records in arrays carry no initializers and no records
  // (ICSC): the controller resets them.
  struct Rmw {
    bool valid, init, bank;
    Dim addr;
    std::int32_t sums[kR];
  };
  Rmw rmw[kRead + 1];
  Rmw hist[kRead];  // the writes a read in flight has missed, newest first
  // Storer: its walk over the tile's words, the reads in flight and the words read, not yet sent.
  struct Pending {
    bool valid;
    std::uint32_t addr;
    std::uint16_t count;
  };
  Pending st_reads[kRead + 1];
  Store st_q[kQueue];
  int st_head, st_size, st_inflight;
  bool storing;
  bool st_bank;
  Dim st_og, st_px, st_py, st_word, st_ogs, st_last_rows;
  Dim st_slots, st_stride;  // channels of a row group, rows between them (2: packed depthwise)
  Addr st_row_addr, st_pix_addr, st_ch;
};

template <typename Cfg>
struct AccelCore : sc_core::sc_module {
  static constexpr int kIc = Cfg::kTileIc;
  static constexpr int kL = Cfg::kBramLatency;
  static constexpr int kHalves = Cfg::kDoubleBuffered ? 2 : 1;
  static constexpr int kInHalf = Cfg::kInDepth;
  // A beat issued in cycle s is written to its array in s + kRead (the input word read), and its
  // sums are back in s + kSumDelay (the array's stages and its input signal); they are written
  // into the partial sums kRead later (kWrite).
  static constexpr int kRead = kL + 1;
  static constexpr int kSumDelay = kRead + 1 + pe::PeArray<typename Cfg::Dsp>::kStages;
  static constexpr int kWrite = kSumDelay + kRead;
  static_assert(pe::PeArray<typename Cfg::Dsp>::kStages == pe::PeArray<typename Cfg::Lut>::kStages,
                "both arrays have one pipeline");
  static_assert(Cfg::Dsp::kCols == Cfg::Lut::kCols,
                "both engines take the one broadcast input vector: equal cols");
  static_assert(kInHalf * kHalves <= kMaxDim, "input buffer words exceed Dim");
  // Input-buffer banks: the depthwise window column's words are read in one cycle (window rows
  // lie `pitch` = 1 mod kInBanks words apart); dense steps read one bank's word a cycle. Word w
  // is in bank w mod kInBanks, row w / kInBanks.
  static constexpr int kDwK = pe::PeArray<typename Cfg::Dsp>::kDwK;
  static constexpr int kInBanks = pe::DwBanksOf(kDwK);
  static constexpr int kInBankBits = CeilLog2(kInBanks);
  static constexpr int kInBankDepth = (kInHalf * kHalves + kInBanks - 1) / kInBanks;
  static_assert(kDwK <= kInBanks && (1 << kInBankBits) == kInBanks, "banks: a power of two");
  using Dsp = EngineBlock<typename Cfg::Dsp, Cfg, Cfg::kDspWeightDepth, Cfg::kDspOutDepth>;
  using Lut = EngineBlock<typename Cfg::Lut, Cfg, Cfg::kLutWeightDepth, Cfg::kLutOutDepth>;
  static constexpr int kC = Dsp::kC;
  // Lane-loading cycles of a word: the engines load theirs side by side.
  static constexpr int kPieces = Dsp::kPieces > Lut::kPieces ? Dsp::kPieces : Lut::kPieces;
  using InWord = pe::Bus<std::uint8_t, kIc>;
  using LoadBeat = InWord;
  // Activations of kActBits (the lanes take no more of them).
  static constexpr int kActBits =
      Cfg::Dsp::kActBits > Cfg::Lut::kActBits ? Cfg::Dsp::kActBits : Cfg::Lut::kActBits;
  using InBram =
      mem::Bram<mem::BramConfig<std::uint8_t, kIc, kInBankDepth, kL, false, kInBanks, kActBits>>;

  sc_core::sc_in<bool> clk{"clk"};
  sc_core::sc_in<bool> rst{"rst"};
  sc_core::sc_in<CoreRegs> regs{"regs"};
  pe::In<CoreCmd> cmd{"cmd"};
  pe::Out<LoadReq> ld_req{"ld_req"};
  pe::In<LoadBeat> ld{"ld"};
  pe::Out<typename Dsp::Store> st_dsp{"st_dsp"};
  pe::Out<typename Lut::Store> st_lut{"st_lut"};

  Dsp dsp{"dsp"};
  Lut lut{"lut"};
  InBram in_buf{"in_buf"};

  SC_HAS_PROCESS(AccelCore);
  explicit AccelCore(const sc_core::sc_module_name& name);

 private:
  // What every step of a layer shares, worked out from its registers when a command is taken:
  // held once, not per buffer half and partial-sum bank (the registers of a layer do not change
  // while its steps run).
  struct LayerInfo {
    bool dw;
    Dim col_step;     // input words between output columns: sw
    Dim taps;         // per block: kh x kw, depthwise 1
    Dim x_step, run;  // input columns between window words, pixels per word (folded: fold_sw, fold)
    Dim e_slots[2];   // channels of a row group (dense: rows; depthwise: per DSP when packed)
    // Depthwise: a block holds a kgh x kgw window of taps, gxs windows across; a pixel after the
    // first of a row loads dw_m columns and skips col_skip; the tap groups' columns advance by kgw
    // up to ox_last.
    Dim kgh, kgw, gxs, dw_m, col_skip, ox_last;
  };
  static LayerInfo MakeLayerInfo(const CoreRegs& r);

  // What a step needs besides its command and its layer, worked out when the command is taken:
  // loop bounds and first addresses (the host formed those that need a multiplier of layer
  // figures; the few left are of two 16-bit figures, once per step). Flat (ICSC takes no record
  // inside a record): the command's fields, then per-engine fields as arrays indexed by engine
  // (0 DSP, 1 LUT).
  struct StepInfo {
    Dim out_rows, out_cols, in_ch0, in_chs;
    bool first_chunk, last_chunk;
    Dim win_rows, win_cols, pixels;
    Dim row_step;     // input words between output rows: sh x win_cols
    Dim groups, ogs;  // channel groups of the chunk, row groups of the step
    Dim iy0;          // input row of the window's first word (negative: padding)
    Dim x0;           // input column of its first word
    Addr in_addr0;    // element address of input row iy0, column 0
    Dim pix_elems;    // elements of one pixel in a word: the chunk, or in_c when folded
    Addr out_addr0;   // element address of the tile's first output pixel (HWC)
    Dim e_n[2], e_ch0[2], e_ogs[2], e_last_rows[2];
    Addr e_waddr[2];   // element address of the engine's weight pieces
    Dim e_last_ch[2];  // channels of the last row group
    // Depthwise: window rows lie `pitch` words apart (row_pad beyond the window's columns); the
    // tap groups' row offsets as addresses advance by kgh_pitch up to oy_last_addr.
    Dim pitch, row_pad;
    Addr dw_row_step, kgh_pitch, oy_last_addr;
  };
  StepInfo MakeStepInfo(const CoreCmd& c) const;

  // What the storers need of a finished tile, kept per partial-sum bank until they take it: only
  // the fields they read, so that the rest of the step's StepInfo is not held twice more in
  // registers (nor, as ICSC translated a whole StepInfo of which it read four fields, as latches).
  struct TileStore {
    Dim out_rows, out_cols;
    Addr out_addr0;
    Dim e_n[2], e_ch0[2], e_ogs[2], e_last_ch[2];
  };
  // The store figures of the step in half `half` (an index, not a StepInfo: ICSC 1.7.6 stops at
  // info_[half] as an argument when half is a local it propagates).
  TileStore TileStoreOf(bool half) const;

  // Where the loader is in a step's items (the input window, then the DSP pieces, then the LUT
  // pieces). It keeps one walk for its requests and one for the beats that answer them.
  struct LoadWalk {
    Dim phase;  // 0 input window, 1 DSP pieces, 2 LUT pieces, 3 all walked
    Dim word;   // input word of a window item
    Dim wy, wx, iy, x;
    Addr row_addr;           // element address of input row iy, column 0
    Dim og, g, t, q, block;  // pieces: row group, channel group, tap, piece, first word of block
    Addr addr;               // element address of the next weight piece
  };
  void StartWalk(LoadWalk& w, const StepInfo& s) const;
  void NextPhase(LoadWalk& w, const StepInfo& s) const;
  void Advance(LoadWalk& w, const StepInfo& s) const;
  template <typename E>
  bool AdvancePieces(LoadWalk& w, const StepInfo& s, int k) const;
  LoadReq Request(const LoadWalk& w, const StepInfo& s) const;
  template <typename E>
  Dim PiecesOf(const StepInfo& s, int k, int og) const;

  void Run();
  void LoaderCycle(typename InBram::Flags& i_aen_v, typename InBram::Addrs& i_aaddr_v,
                   typename InBram::Words& i_awdata_v);
  template <typename E>
  void WritePiece(E& e, const LoadWalk& w, const LoadBeat& beat, bool half);
  void SequencerCycle(typename InBram::Flags& i_ben_v, typename InBram::Addrs& i_baddr_v);
  bool IssueDense(typename InBram::Flags& i_ben_v, typename InBram::Addrs& i_baddr_v);
  bool IssueDw(typename InBram::Flags& i_ben_v, typename InBram::Addrs& i_baddr_v);
  void EndBlock();
  Dim ReadIn(typename InBram::Flags& i_ben_v, typename InBram::Addrs& i_baddr_v, Addr word) const;
  bool StepStartable(int n) const;
  template <typename E>
  void LanePiece(E& e, int k, Dim og, Dim block, Dim q, bool half);
  template <typename E>
  void FeedArray(E& e, int k, const typename InBram::Words& in_words);
  template <typename E>
  void Accumulate(E& e, int k, typename E::OBram::Flags& b_en, typename E::OBram::Addrs& b_addr);
  template <typename E>
  void StartStore(E& e, const TileStore& s, int k, bool bank);
  template <typename E>
  bool StoreCycle(E& e, pe::Out<typename E::Store>& port, Mult mult, int shift,
                  typename E::OBram::Flags& b_en, typename E::OBram::Addrs& b_addr);
  template <typename E>
  static void Quiet(E& e);
  template <typename E>
  static void ResetEngine(E& e);
  static bool HalfOf(int n) { return kHalves == 2 && (n & 1) != 0; }
  // Step counters run modulo 8, which tells apart the at most three steps between the loader's
  // and the storers' (ICSC would make an int a 32-bit counter and comparator).
  static constexpr int kStepMask = 7;
  static int NextStep(int n) { return (n + 1) & kStepMask; }

  sc_core::sc_signal<typename InBram::Flags> i_aen{"i_aen"}, i_awe{"i_awe"}, i_ben{"i_ben"},
      i_bwe{"i_bwe"};
  sc_core::sc_signal<typename InBram::Addrs> i_aaddr{"i_aaddr"}, i_baddr{"i_baddr"};
  sc_core::sc_signal<typename InBram::Words> i_awdata{"i_awdata"}, i_bwdata{"i_bwdata"},
      i_ardata{"i_ardata"}, i_brdata{"i_brdata"};

  // Controller registers. The loader fills half HalfOf(taken) and keeps its step in info_[half].
  // Halves and partial-sum banks are bools (one bit in the translation).
  CoreRegs r_;
  LayerInfo lay_;
  StepInfo info_[kHalves];
  // Steps per milestone, modulo 8 (taken >= loaded >= ll_n_ >= sq_n_ >= done; sq_n_ counts the
  // steps whose buffer half is free again).
  int taken_ = 0, loaded_ = 0, done_ = 0;
  bool req_busy_ = false, rcv_busy_ = false;  // requester and receiver have a step
  LoadWalk req_w_, rcv_w_;
  bool req_v_ = false;
  // Lane loader: the step whose pieces it reads (ll_n_, in half HalfOf(ll_n_)), the block and
  // piece; it has loaded block ll_block_'s word when ll_ready_. A step's half follows from its
  // number: no half register whose update would hang every read of info_ on the same cycle's
  // start and take conditions.
  int ll_n_ = 0;
  bool ll_bank_ = false;
  bool ll_active_ = false, ll_ready_ = false;
  Dim ll_og_ = 0, ll_g_ = 0, ll_t_ = 0, ll_q_ = 0, ll_block_ = 0;
  // Beat issue: its step (sq_n_, in info_[HalfOf(sq_n_)], which the loader leaves alone until the
  // step's last beat), the block and the beat's output pixel and tap.
  int sq_n_ = 0;
  bool sq_bank_ = false;
  bool sq_active_ = false;
  Dim sq_og_addr_ = 0;  // og x pixels: the block's first partial-sum word
  Dim sq_og_ = 0, sq_g_ = 0, sq_ky_ = 0, sq_kx_ = 0, sq_block_ = 0, sq_px_ = 0, sq_py_ = 0,
      sq_p_ = 0;
  Dim sq_row_ = 0, sq_pix_ = 0, sq_tap_ = 0;  // input word address parts
  bool sq_first_ = false;  // the next beat is the first of its block (carries the swap)
  // Depthwise: the window column of the next load and the loads of the pixel so far; the tap
  // group's column and row offsets (raw: before the clamp to the kernel) and its column index.
  Dim sq_col_ = 0, sq_j_ = 0, sq_ox_ = 0, sq_ox_raw_ = 0, sq_gx_ = 0;
  Addr sq_oy_addr_ = 0, sq_oy_raw_ = 0;
  // The tags of issued cycles on their way to the arrays (kL + 1) and back (kSumDelay).
  // feed: an array input (a beat, or a depthwise window column); valid: a beat, whose sums come
  // back; dw: a window column from kgh banks from ibank (dense: the word's bank); wr: the engine
  // has the beat's row group; end_step / end_tile: the step's (tile's) last beat.
  struct Tag {
    bool valid, feed, dw, swap, init, end_step, end_tile;
    bool wr[2];
    bool bank;
    Dim g, og, addr, ibank, kgh;
  };
  Tag tags_[kWrite + 1];
  struct PieceTag {
    bool valid[2];
  };
  PieceTag ptags_[kRead + 1];
  bool tiles_odd_ = false;              // output tiles started (a first chunk starts one), odd
  bool bank_busy_[2] = {false, false};  // partial-sum bank holds a tile not yet stored
  TileStore tile_store_[2];             // the tile in each bank, from its last chunk
  // The tile waiting for the storers (its sums complete), and the one being stored.
  bool st_wait_ = false, storing_ = false;
  // The stored tile's geometry, the only fields of its StepInfo the storers read each cycle.
  // Members read directly: a StepInfo passed to StoreCycle by reference lost its reads in ICSC
  // 1.7.6, which then made it a latch (Verilator LATCH, issue 20).
  Dim st_out_rows_ = 0, st_out_cols_ = 0;
  Addr st_out_addr0_ = 0;
  bool st_bank_ = false, st_wait_bank_ = false;
};

namespace cfg {
// The benchmark's instance: DSP 16x16 with two products per DSP, LUT 32x16, 32-channel input
// words, 512-word buffers, double-buffered.
using BenchCoreDb = CoreConfig<pe::cfg::DspArray, pe::cfg::LutArray, 32, 512, 512, 512, 4608, 1,
                               /*DoubleBuffered=*/true>;
}  // namespace cfg
using AccelCoreTop = AccelCore<cfg::BenchCoreDb>;

}  // namespace msqx::accel

#include "models/accel/core_impl.h"

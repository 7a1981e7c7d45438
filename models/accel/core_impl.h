#pragma once
// Member definitions of AccelCore (core.h); kept apart so that the header shows the interface.
// Written in the subset Intel's SystemC compiler translates (docs/hls.md): references rather than
// pointers to locals, no out-parameters of scalars (a result is returned), no std::min/max, no
// range-for, no [[fallthrough]], buses indexed through .v[], no braced temporaries of records, no
// increment inside a condition, one assignment per statement. No division and no multiplication
// per beat: loops count in their units and addresses advance by additions; the products a step
// needs are formed once, when its command is taken (MakeStepInfo).

namespace msqx::accel {

template <typename Cfg>
AccelCore<Cfg>::AccelCore(const sc_core::sc_module_name& name) : sc_module(name) {
  dsp.Bind(clk, rst);
  lut.Bind(clk, rst);
  detail::BindBram(in_buf, clk, rst, i_aen, i_awe, i_aaddr, i_awdata, i_ardata, i_ben, i_bwe,
                   i_baddr, i_bwdata, i_brdata);
  SC_CTHREAD(Run, clk.pos());
  reset_signal_is(rst, true);
}

template <typename Cfg>
typename AccelCore<Cfg>::LayerInfo AccelCore<Cfg>::MakeLayerInfo(const CoreRegs& r) {
  LayerInfo l;
  l.dw = r.dw;
  l.col_step = r.sw;
  l.taps = r.dw ? 1 : r.taps;
  if (r.fold > 0) {
    l.x_step = r.fold_sw;
    l.run = r.fold;
  } else {
    l.x_step = 1;
    l.run = 1;
  }
  // Depthwise: a channel per row, per DSP when packed (its second product idles).
  l.e_slots[0] = static_cast<Dim>(r.dw ? Dsp::kR / Dsp::kPack : Dsp::kR);
  l.e_slots[1] = Lut::kR;
  // Depthwise tap windows of kgh x kgw (larger kernels in tap groups).
  l.kgh = r.kh < kDwK ? r.kh : kDwK;
  l.kgw = r.kw < kDwK ? r.kw : kDwK;
  l.gxs = (r.kw + kDwK - 1) / kDwK;  // kw / kgw rounded up (kgw = kw when kw <= kDwK)
  l.dw_m = r.sw < l.kgw ? r.sw : l.kgw;
  l.col_skip = r.sw - l.dw_m;
  l.ox_last = r.kw - l.kgw;
  return l;
}

// Reads the layer's figures from lay_ (MakeLayerInfo of the same registers).
template <typename Cfg>
typename AccelCore<Cfg>::StepInfo AccelCore<Cfg>::MakeStepInfo(const CoreCmd& c) const {
  StepInfo s;
  s.out_rows = c.out_rows;
  s.out_cols = c.out_cols;
  s.in_ch0 = c.in_ch0;
  s.in_chs = c.in_chs;
  s.first_chunk = c.first_chunk;
  s.last_chunk = c.last_chunk;
  s.win_rows = c.win_rows;
  s.win_cols = c.win_cols;
  s.pixels = c.pixels;
  s.row_step = c.row_step;
  s.groups = (c.in_chs + kC - 1) / kC;
  s.iy0 = c.iy0;
  s.x0 = c.x0;
  s.in_addr0 = c.in_addr0;
  s.pix_elems = r_.fold > 0 ? r_.in_c : c.in_chs;
  s.out_addr0 = c.out_addr0;
  s.e_n[0] = c.dsp_n;
  s.e_n[1] = c.lut_n;
  s.e_ch0[0] = c.ch0;
  s.e_ch0[1] = c.ch0 + c.dsp_n;
  // Every divisor a constant of the instance (a divider by a register is thousands of LUTs).
  constexpr int kDwSlots = Dsp::kR / Dsp::kPack;
  s.e_ogs[0] = lay_.dw ? (c.dsp_n + kDwSlots - 1) / kDwSlots : (c.dsp_n + Dsp::kR - 1) / Dsp::kR;
  s.e_ogs[1] = (c.lut_n + Lut::kR - 1) / Lut::kR;
  s.e_last_ch[0] = c.dsp_n - (s.e_ogs[0] - 1) * lay_.e_slots[0];
  s.e_last_ch[1] = c.lut_n - (s.e_ogs[1] - 1) * lay_.e_slots[1];
  s.e_last_rows[0] = lay_.dw && Dsp::kPack == 2 ? s.e_last_ch[0] * 2 : s.e_last_ch[0];
  s.e_last_rows[1] = s.e_last_ch[1];
  s.ogs = s.e_ogs[0] > s.e_ogs[1] ? s.e_ogs[0] : s.e_ogs[1];
  s.e_waddr[0] = static_cast<Addr>(c.dsp_w);
  s.e_waddr[1] = static_cast<Addr>(c.lut_w);
  // Depthwise: window rows `pitch` = 1 mod kInBanks words apart, so that a window column's words
  // lie in distinct banks.
  s.pitch = s.win_cols;
  if (lay_.dw) {
    s.pitch = s.win_cols + ((1 - s.win_cols) & (kInBanks - 1));
    s.groups = ((r_.kh + kDwK - 1) / kDwK) * lay_.gxs;  // kh / kgh rounded up
  }
  s.row_pad = s.pitch - s.win_cols;
  s.dw_row_step = r_.sh * s.pitch;
  s.kgh_pitch = lay_.kgh * s.pitch;
  s.oy_last_addr = (r_.kh - lay_.kgh) * s.pitch;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Loader

template <typename Cfg>
void AccelCore<Cfg>::StartWalk(LoadWalk& w, const StepInfo& s) const {
  w.phase = 0;
  w.word = 0;
  w.wy = 0;
  w.wx = 0;
  w.iy = s.iy0;
  w.x = s.x0;
  w.row_addr = s.in_addr0;
  w.og = 0;
  w.g = 0;
  w.t = 0;
  w.q = 0;
  w.block = 0;
  w.addr = 0;
}

// From the input window (or the DSP pieces) to the next engine with filters, or to the end.
template <typename Cfg>
void AccelCore<Cfg>::NextPhase(LoadWalk& w, const StepInfo& s) const {
  int p = w.phase + 1;
  if (p == 1 && s.e_n[0] == 0) p = 2;
  if (p == 2 && s.e_n[1] == 0) p = 3;
  w.phase = p;
  w.og = 0;
  w.g = 0;
  w.t = 0;
  w.q = 0;
  w.block = 0;
  w.addr = p == 1 ? s.e_waddr[0] : s.e_waddr[1];
}

// Pieces of row group og: all of the engine's, or those holding the last group's rows.
template <typename Cfg>
template <typename E>
Dim AccelCore<Cfg>::PiecesOf(const StepInfo& s, int k, int og) const {
  Dim n = E::kPieces;
  if (og == s.e_ogs[k] - 1) {
    n = (s.e_last_rows[k] + E::Array::kPieceLanes / E::kC - 1) / (E::Array::kPieceLanes / E::kC);
  }
  return n;
}

// Pieces in the order og, g, tap, q (the weight image's order, core_types.h). True after the
// engine's last piece.
template <typename Cfg>
template <typename E>
bool AccelCore<Cfg>::AdvancePieces(LoadWalk& w, const StepInfo& s, int k) const {
  bool last = false;
  w.addr += E::kPieceLanes;
  ++w.q;
  if (w.q == PiecesOf<E>(s, k, w.og)) {
    w.q = 0;
    ++w.t;
    ++w.block;
    if (w.t == lay_.taps) {
      w.t = 0;
      ++w.g;
      if (w.g == s.groups) {
        w.g = 0;
        ++w.og;
        last = w.og == s.e_ogs[k];
      }
    }
  }
  return last;
}

template <typename Cfg>
void AccelCore<Cfg>::Advance(LoadWalk& w, const StepInfo& s) const {
  bool next = false;  // one NextPhase in the translation, not one per phase
  if (w.phase == 0) {
    ++w.word;
    ++w.wx;
    w.x += lay_.x_step;
    if (w.wx == s.win_cols) {
      w.wx = 0;
      w.x = s.x0;
      w.word += s.row_pad;
      ++w.wy;
      ++w.iy;
      w.row_addr += r_.in_row_elems;
      next = w.wy == s.win_rows;
    }
  } else if (w.phase == 1) {
    next = AdvancePieces<Dsp>(w, s, 0);
  } else if (w.phase == 2) {
    next = AdvancePieces<Lut>(w, s, 1);
  }
  if (next) NextPhase(w, s);
}

// The request of the walk's item. A window word is its pixel's chunk (or, folded, the run of
// pixels from column x), with the pixels outside the input left zero by lane0 and count.
template <typename Cfg>
LoadReq AccelCore<Cfg>::Request(const LoadWalk& w, const StepInfo& s) const {
  LoadReq req;
  req.addr = 0;
  req.count = 0;
  req.lane0 = 0;
  req.weights = w.phase != 0;
  if (w.phase == 0) {
    const int lo = w.x < 0 ? 0 : w.x;
    const int end = w.x + lay_.run;
    const int hi = end > r_.in_w ? r_.in_w : end;
    if (w.iy >= 0 && w.iy < r_.in_h && lo < hi) {
      req.addr = static_cast<std::uint32_t>(w.row_addr + lo * r_.in_c + s.in_ch0);
      req.count = static_cast<std::uint16_t>((hi - lo) * s.pix_elems);
      req.lane0 = static_cast<std::uint16_t>((lo - w.x) * s.pix_elems);
    }
  } else {
    req.addr = static_cast<std::uint32_t>(w.addr);
    req.count = static_cast<std::uint16_t>(w.phase == 1 ? Dsp::kPieceLanes : Lut::kPieceLanes);
  }
  return req;
}

// A piece goes to its word's place in the weight buffer: block (og, g, tap) x pieces + q.
template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::WritePiece(E& e, const LoadWalk& w, const LoadBeat& beat, bool half) {
  typename E::WBram::Flags on;
  on.v[0] = true;
  typename E::WBram::Addrs a;
  a.v[0] = static_cast<std::uint32_t>(half * E::kWHalf + w.block * E::kPieces + w.q);
  typename E::WBram::Words wd;
  for (int l = 0; l < E::kPieceLanes; ++l) wd.v[l] = beat.v[l];
  e.w_aen.write(on);
  e.w_awe.write(on);
  e.w_aaddr.write(a);
  e.w_awdata.write(wd);
}

// The loader is two machines: the requester takes a command and asks for its items, one request
// per cycle, and takes the next command as soon as its last request is out (and a half is free),
// so that the memory streams one step's data after the other; the receiver writes the beats that
// answer them, in order, into the step's half.
template <typename Cfg>
void AccelCore<Cfg>::LoaderCycle(typename InBram::Flags& i_aen_v, typename InBram::Addrs& i_aaddr_v,
                                 typename InBram::Words& i_awdata_v) {
  if (!req_busy_ && cmd.ready.read() && cmd.valid.read()) {
    r_ = regs.read();
    lay_ = MakeLayerInfo(r_);
    const bool half = HalfOf(taken_);
    info_[half] = MakeStepInfo(cmd.data.read());
    StartWalk(req_w_, info_[half]);
    taken_ = NextStep(taken_);
    req_v_ = false;
    req_busy_ = true;
  } else if (req_busy_) {
    const StepInfo& s = info_[HalfOf(taken_ - 1)];
    if (req_v_ && ld_req.ready.read()) {
      Advance(req_w_, s);
      req_v_ = false;
      if (req_w_.phase == 3) req_busy_ = false;
    }
    if (!req_v_ && req_busy_) {
      ld_req.data.write(Request(req_w_, s));
      req_v_ = true;
    }
  }
  if (rcv_busy_ && ld.ready.read() && ld.valid.read()) {
    const bool half = HalfOf(loaded_);
    const StepInfo& s = info_[half];
    const LoadBeat beat = ld.data.read();
    if (rcv_w_.phase == 0) {
      const Addr word = half * kInHalf + rcv_w_.word;
      // Address and data go to every bank, the enable to the word's: one register per bit, not
      // one per bank, and no demultiplexer.
      const int bank = word & (kInBanks - 1);
      i_aen_v.v[bank] = true;
      for (int b = 0; b < kInBanks; ++b) {
        i_aaddr_v.v[b] = static_cast<std::uint32_t>(word >> kInBankBits);
      }
      // Depthwise: the DSP engine's channels stay at lanes 0.., the LUT engine's are turned to
      // run down from the top lane, so that every row reads a lane fixed by its row group
      // (FeedArray) whatever the step's split: lane l >= dn takes channel dn + kIc - 1 - l, the
      // word reversed and shifted up by dn lanes. A shifter of log2(kIc) stages, not a kIc-way
      // multiplexer per lane.
      const Dim dn = s.e_n[0], ln = s.e_n[1];
      std::uint8_t turned[kIc];
      for (int l = 0; l < kIc; ++l) turned[l] = beat.v[kIc - 1 - l];
      for (int k = 0; (1 << k) <= kIc; ++k) {
        if (((dn >> k) & 1) != 0) {
          for (int l = kIc - 1; l >= 0; --l) {
            const int from = l >= (1 << k) ? l - (1 << k) : 0;
            turned[l] = l >= (1 << k) ? turned[from] : 0;
          }
        }
      }
      for (int l = 0; l < kIc; ++l) {
        std::uint8_t v = beat.v[l];
        if (lay_.dw && l >= dn) v = l >= kIc - ln ? turned[l] : 0;
        for (int b = 0; b < kInBanks; ++b) i_awdata_v.v[b * kIc + l] = v;
      }
    } else if (rcv_w_.phase == 1) {
      WritePiece(dsp, rcv_w_, beat, half);
    } else {
      WritePiece(lut, rcv_w_, beat, half);
    }
    Advance(rcv_w_, s);
    if (rcv_w_.phase == 3) {
      rcv_busy_ = false;
      loaded_ = NextStep(loaded_);
    }
  }
  if (!rcv_busy_ && taken_ != loaded_) {  // the next step's beats follow without a gap
    const bool half = HalfOf(loaded_);
    StartWalk(rcv_w_, info_[half]);
    rcv_busy_ = true;
  }
  // A new command needs an idle requester and a free half: with one half, the previous step must
  // be completely done; with two, the step that used this half must have issued its last beat.
  const int busy = (taken_ - (Cfg::kDoubleBuffered ? sq_n_ : done_)) & kStepMask;
  cmd.ready.write(!req_busy_ && busy < kHalves);
  ld_req.valid.write(req_v_);
  ld.ready.write(rcv_busy_);
}

// ---------------------------------------------------------------------------------------------
// Sequencer: the lane loader and the beat issue

// Step n may start reading its pieces: loaded, and (double-buffered) a first chunk needs its
// partial-sum bank stored.
template <typename Cfg>
bool AccelCore<Cfg>::StepStartable(int n) const {
  bool ok = loaded_ != n;  // n <= loaded_
  if (Cfg::kDoubleBuffered && ok && info_[HalfOf(n)].first_chunk) {
    ok = !bank_busy_[tiles_odd_];
  }
  return ok;
}

// Reads piece q of block (og, ...) for engine e when it has the row group. Every piece of the word
// is shifted in, so that the first lands in rows 0..; pieces of absent rows hold stale weights,
// whose sums are never stored.
template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::LanePiece(E& e, int k, Dim og, Dim block, Dim q, bool half) {
  const StepInfo& s = info_[half];
  const bool on = og < s.e_ogs[k] && q < E::kPieces;
  ptags_[0].valid[k] = on;
  if (on) {
    typename E::WBram::Flags en;
    en.v[0] = true;
    typename E::WBram::Addrs a;
    a.v[0] = static_cast<std::uint32_t>(half * E::kWHalf + block * E::kPieces + q);
    e.w_ben.write(en);
    e.w_baddr.write(a);
  }
}

// The issued beats' input words and pieces reach the arrays kRead cycles after issue. A dense
// beat takes the channel group's lanes of its word; a depthwise column takes, per window row
// (bank), each row unit's lane: the DSP's row group og at lanes og x slots.., the LUT's down from
// the top lane (the receiver put them there). Constant lanes per row group: a multiplexer of the
// row groups, not of the step's split.
template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::FeedArray(E& e, int k, const typename InBram::Words& in_words) {
  const Tag& t = tags_[kRead];
  if (t.feed) {
    typename E::Array::InBus b;
    constexpr int kUnits = E::Array::kUnits;
    if (t.dw) {
      b.dw = true;
      b.beat = t.valid;
      for (int ky = 0; ky < kDwK; ++ky) {
        const int bank = (t.ibank + ky) & (kInBanks - 1);
        for (int u = 0; u < kUnits; ++u) {
          const int slot = t.og * kUnits + u;
          const int lane = k == 0 ? slot : kIc - 1 - slot;
          const bool on = ky < t.kgh && lane >= 0 && lane < kIc;
          b.col[ky * kUnits + u] = on ? in_words.v[bank * kIc + (on ? lane : 0)] : 0;
        }
      }
    } else {
      // The channel group's lanes of the word: a multiplexer of its groups.
      for (int c = 0; c < kC; ++c) b.act[c] = 0;
      for (int g = 0; g * kC < kIc; ++g) {
        if (t.g == g) {
          for (int c = 0; c < kC; ++c) {
            b.act[c] = g * kC + c < kIc ? in_words.v[t.ibank * kIc + g * kC + c] : 0;
          }
        }
      }
    }
    b.swap = t.swap;
    e.in.data.write(b);
  }
  e.in.valid.write(t.feed);
}

// A read of input word `word` (linear, both halves): its bank's port; returns the bank.
template <typename Cfg>
Dim AccelCore<Cfg>::ReadIn(typename InBram::Flags& i_ben_v, typename InBram::Addrs& i_baddr_v,
                           Addr word) const {
  const int bank = word & (kInBanks - 1);
  i_ben_v.v[bank] = true;
  i_baddr_v.v[bank] = static_cast<std::uint32_t>(word >> kInBankBits);
  return static_cast<Dim>(bank);
}

// The end of a block: the next block's first issue carries the swap; after the step's last block
// its half is free.
template <typename Cfg>
void AccelCore<Cfg>::EndBlock() {
  const bool half = HalfOf(sq_n_);
  const StepInfo& sq = info_[half];
  sq_first_ = true;
  ++sq_block_;
  if (sq_og_ == sq.ogs) {  // the step's last beat: its buffer half is free
    tags_[0].end_step = true;
    tags_[0].end_tile = sq.last_chunk;
    sq_og_ = 0;
    sq_og_addr_ = 0;
    sq_block_ = 0;
    sq_active_ = false;
    sq_n_ = NextStep(sq_n_);
  }
}

// A dense beat: the next pixel of this block, or the first of the next block (og, g, ky, kx).
// True at the block's end.
template <typename Cfg>
bool AccelCore<Cfg>::IssueDense(typename InBram::Flags& i_ben_v,
                                typename InBram::Addrs& i_baddr_v) {
  const bool half = HalfOf(sq_n_);
  const StepInfo& sq = info_[half];
  bool end = false;
  tags_[0].valid = true;
  tags_[0].ibank = ReadIn(i_ben_v, i_baddr_v, half * kInHalf + sq_pix_ + sq_tap_);
  ++sq_p_;
  ++sq_px_;
  sq_pix_ += lay_.col_step;
  if (sq_px_ == sq.out_cols) {
    sq_px_ = 0;
    ++sq_py_;
    sq_row_ += sq.row_step;
    sq_pix_ = sq_row_;
    if (sq_py_ == sq.out_rows) {
      sq_py_ = 0;
      sq_p_ = 0;
      sq_row_ = 0;
      sq_pix_ = 0;
      ++sq_kx_;
      ++sq_tap_;
      if (sq_kx_ == r_.kw) {
        sq_kx_ = 0;
        ++sq_ky_;
        sq_tap_ += sq.win_cols - r_.kw;  // ky x win_cols, from ky' x win_cols + kw
        if (sq_ky_ == r_.kh) {
          sq_ky_ = 0;
          sq_tap_ = 0;
          ++sq_g_;
          if (sq_g_ == sq.groups) {
            sq_g_ = 0;
            ++sq_og_;
            sq_og_addr_ += sq.pixels;
          }
        }
      }
      end = true;
    }
  }
  return end;
}

// A depthwise cycle: one window column of the block's tap window (kgh words, window rows `pitch`
// apart: as many banks), and the pixel's beat with its last column. A row's first pixel loads kgw
// columns, each later one dw_m (its new ones). Blocks: row group og, tap group g (rows, columns).
// True at the block's end.
template <typename Cfg>
bool AccelCore<Cfg>::IssueDw(typename InBram::Flags& i_ben_v, typename InBram::Addrs& i_baddr_v) {
  const bool half = HalfOf(sq_n_);
  const StepInfo& sq = info_[half];
  bool end = false;
  const Addr first = half * kInHalf + sq_row_ + sq_col_;
  Addr word = first;
  for (int ky = 0; ky < kDwK; ++ky) {
    if (ky < lay_.kgh) ReadIn(i_ben_v, i_baddr_v, word);
    word += sq.pitch;
  }
  tags_[0].dw = true;
  tags_[0].ibank = static_cast<Dim>(first & (kInBanks - 1));
  tags_[0].kgh = lay_.kgh;
  ++sq_col_;
  ++sq_j_;
  const bool last = sq_j_ == (sq_px_ == 0 ? lay_.kgw : lay_.dw_m);
  tags_[0].valid = last;
  if (last) {
    sq_j_ = 0;
    ++sq_p_;
    ++sq_px_;
    sq_col_ += lay_.col_skip;
    if (sq_px_ == sq.out_cols) {
      sq_px_ = 0;
      ++sq_py_;
      sq_row_ += sq.dw_row_step;
      sq_col_ = sq_ox_;
      if (sq_py_ == sq.out_rows) {
        sq_py_ = 0;
        sq_p_ = 0;
        // The next tap group: its window's column (and at a row of groups' end, row) offset.
        ++sq_g_;
        ++sq_gx_;
        sq_ox_raw_ += lay_.kgw;
        if (sq_gx_ == lay_.gxs) {
          sq_gx_ = 0;
          sq_ox_raw_ = 0;
          sq_oy_raw_ += sq.kgh_pitch;
        }
        if (sq_g_ == sq.groups) {
          sq_g_ = 0;
          sq_oy_raw_ = 0;
          ++sq_og_;
          sq_og_addr_ += sq.pixels;
        }
        sq_ox_ = sq_ox_raw_ < lay_.ox_last ? sq_ox_raw_ : lay_.ox_last;
        sq_oy_addr_ = sq_oy_raw_ < sq.oy_last_addr ? sq_oy_raw_ : sq.oy_last_addr;
        sq_row_ = sq_oy_addr_;
        sq_col_ = sq_ox_;
        end = true;
      }
    }
  }
  return end;
}

template <typename Cfg>
void AccelCore<Cfg>::SequencerCycle(typename InBram::Flags& i_ben_v,
                                    typename InBram::Addrs& i_baddr_v) {
  // The beat issue takes the lane loader's step when it is done with its own.
  // The beat walk's counters are all zero here: each wraps to zero with the step's last beat, and
  // EndBlock zeroes the three that count up through the step. Resetting them again at the take
  // would hang every counter on the take condition (a multiplexer level each, issue 20).
  if (!sq_active_ && ll_active_ && ll_n_ == sq_n_) {
    sq_bank_ = ll_bank_;
    sq_active_ = true;
    sq_first_ = true;
  }
  // A block's first issue needs its word in the shadow registers, and takes it (swap).
  bool issue = sq_active_ && (!sq_first_ || (ll_ready_ && ll_block_ == sq_block_));
  bool swapped = false;
  tags_[0].valid = false;
  tags_[0].feed = issue;
  tags_[0].dw = false;
  tags_[0].swap = false;
  tags_[0].init = false;
  tags_[0].g = 0;
  tags_[0].og = 0;
  tags_[0].addr = 0;
  tags_[0].bank = false;
  tags_[0].ibank = 0;
  tags_[0].kgh = 0;
  tags_[0].end_tile = false;
  tags_[0].end_step = false;
  tags_[0].wr[0] = false;
  tags_[0].wr[1] = false;
  if (issue) {
    const bool half = HalfOf(sq_n_);
    const StepInfo& sq = info_[half];
    swapped = sq_first_;
    tags_[0].swap = sq_first_;
    tags_[0].init = sq.first_chunk && sq_g_ == 0 && sq_tap_ == 0;
    tags_[0].g = sq_g_;
    tags_[0].og = sq_og_;
    tags_[0].addr = static_cast<Dim>(sq_og_addr_ + sq_p_);
    tags_[0].bank = sq_bank_;
    tags_[0].wr[0] = sq_og_ < sq.e_ogs[0];
    tags_[0].wr[1] = sq_og_ < sq.e_ogs[1];
    sq_first_ = false;
    bool end = false;
    if (lay_.dw) {
      end = IssueDw(i_ben_v, i_baddr_v);
    } else {
      end = IssueDense(i_ben_v, i_baddr_v);
    }
    if (end) EndBlock();  // one copy of it in the translation, not one per mode
  }

  // Lane loader: one piece per cycle per engine into the shadow words; the next word may load
  // from the cycle the current one is swapped in.
  if (ll_active_ && ll_ready_ && swapped) {
    ll_ready_ = false;
    ll_q_ = 0;
    ++ll_block_;
    ++ll_t_;
    const bool half = HalfOf(ll_n_);
    const StepInfo& s = info_[half];
    if (ll_t_ == lay_.taps) {
      ll_t_ = 0;
      ++ll_g_;
      if (ll_g_ == s.groups) {
        ll_g_ = 0;
        ++ll_og_;
        if (ll_og_ == s.ogs) {
          ll_active_ = false;
          ll_n_ = NextStep(ll_n_);
        }
      }
    }
  }
  if (!ll_active_ && StepStartable(ll_n_)) {
    ll_active_ = true;
    ll_ready_ = false;
    const bool half = HalfOf(ll_n_);
    if (info_[half].first_chunk) {
      ll_bank_ = tiles_odd_;
      bank_busy_[ll_bank_] = Cfg::kDoubleBuffered;
      tiles_odd_ = kHalves == 2 && !tiles_odd_;
    }
    // A tile's last step leaves in its bank what the storers will read. Taken here, when the
    // step starts, not at its last beat: the bank's previous tile is stored by now (a first chunk
    // waits for its bank, one buffer waits for the previous step's store), and the capture does
    // not hang on the same cycle's beat issue (issue 20: it was 3.1 k LUTs of the controller).
    if (info_[half].last_chunk) {
      const TileStore ts = TileStoreOf(half);
      for (int b = 0; b < kHalves; ++b) {
        if (ll_bank_ == (b == 1)) tile_store_[b] = ts;
      }
    }
    ll_og_ = 0;
    ll_g_ = 0;
    ll_t_ = 0;
    ll_q_ = 0;
    ll_block_ = 0;
  }
  ptags_[0].valid[0] = false;
  ptags_[0].valid[1] = false;
  if (ll_active_ && !ll_ready_) {
    const bool half = HalfOf(ll_n_);
    LanePiece(dsp, 0, ll_og_, ll_block_, ll_q_, half);
    LanePiece(lut, 1, ll_og_, ll_block_, ll_q_, half);
    ++ll_q_;
    if (ll_q_ == kPieces) ll_ready_ = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Accumulation and store

// Every sum the array emits is added to its pixel's partial sum: read now, written kRead cycles
// later (all writes at the same distance, so port A takes one per cycle). A read misses the
// writes issued from its own cycle until its data arrives; those are forwarded from hist.
template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::Accumulate(E& e, int k, typename E::OBram::Flags& b_en,
                                typename E::OBram::Addrs& b_addr) {
  typename E::OBram::Flags a_en;
  typename E::OBram::Addrs a_addr;
  typename E::OBram::Words a_data;
  for (int i = kRead; i > 0; --i) e.rmw[i] = e.rmw[i - 1];
  e.rmw[0].valid = false;
  const typename E::Rmw done = e.rmw[kRead];
  std::int32_t written[E::kR];
  for (int r = 0; r < E::kR; ++r) written[r] = 0;
  if (done.valid) {
    const typename E::OBram::Words rd = e.o_brdata.read();
    // The newest matching write missed by the read, if any (a multiplexer per row).
    int hit = -1;
    for (int j = kRead - 1; j >= 0; --j) {
      if (e.hist[j].valid && e.hist[j].bank == done.bank && e.hist[j].addr == done.addr) hit = j;
    }
    for (int r = 0; r < E::kR; ++r) {
      std::int32_t old = rd.v[done.bank * E::kR + r];
      for (int j = 0; j < kRead; ++j) {
        if (hit == j) old = e.hist[j].sums[r];
      }
      written[r] = E::Sum(done.init ? done.sums[r] : old + done.sums[r]);
      // Port A's address and data go to both banks, the enable to the sum's.
      for (int b = 0; b < kHalves; ++b) a_data.v[b * E::kR + r] = written[r];
    }
    a_en.v[done.bank] = true;
    for (int b = 0; b < kHalves; ++b) a_addr.v[b] = static_cast<std::uint32_t>(done.addr);
  }
  for (int j = kRead - 1; j > 0; --j) e.hist[j] = e.hist[j - 1];
  e.hist[0].valid = done.valid;
  e.hist[0].bank = done.bank;
  e.hist[0].addr = done.addr;
  for (int r = 0; r < E::kR; ++r) e.hist[0].sums[r] = written[r];
  // A new sum: read its partial sum unless it is the first.
  const Tag& t = tags_[kSumDelay];
  if (t.valid && t.wr[k]) {
    const typename E::OWord sums = e.out.data.read();
    e.rmw[0].valid = true;
    e.rmw[0].init = t.init;
    e.rmw[0].bank = t.bank;
    e.rmw[0].addr = t.addr;
    for (int r = 0; r < E::kR; ++r) e.rmw[0].sums[r] = E::Sum(sums.v[r]);
    if (!t.init) {
      b_en.v[t.bank] = true;
      b_addr.v[t.bank] = static_cast<std::uint32_t>(t.addr);
    }
  }
  e.o_aen.write(a_en);
  e.o_awe.write(a_en);
  e.o_aaddr.write(a_addr);
  e.o_awdata.write(a_data);
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::StartStore(E& e, const TileStore& s, int k, bool bank) {
  e.storing = s.e_n[k] > 0;
  e.st_bank = bank;
  e.st_og = 0;
  e.st_px = 0;
  e.st_py = 0;
  e.st_word = 0;
  e.st_ogs = s.e_ogs[k];
  e.st_last_rows = s.e_last_ch[k];
  e.st_slots = lay_.e_slots[k];
  e.st_stride = static_cast<Dim>(lay_.dw && k == 0 ? E::kPack : 1);
  e.st_row_addr = s.out_addr0;
  e.st_pix_addr = s.out_addr0;
  e.st_ch = s.e_ch0[k];
}

template <typename Cfg>
typename AccelCore<Cfg>::TileStore AccelCore<Cfg>::TileStoreOf(bool half) const {
  const StepInfo& s = info_[half];
  TileStore t;
  t.out_rows = s.out_rows;
  t.out_cols = s.out_cols;
  t.out_addr0 = s.out_addr0;
  for (int k = 0; k < 2; ++k) {
    t.e_n[k] = s.e_n[k];
    t.e_ch0[k] = s.e_ch0[k];
    t.e_ogs[k] = s.e_ogs[k];
    t.e_last_ch[k] = s.e_last_ch[k];
  }
  return t;
}

// One cycle of engine e's store of the tile in its bank: send the oldest word read if the
// consumer takes it, requantize the word that arrives, read the next word while the queue has
// room. True when the tile's last word has been taken.
template <typename Cfg>
template <typename E>
bool AccelCore<Cfg>::StoreCycle(E& e, pe::Out<typename E::Store>& port, Mult mult, int shift,
                                typename E::OBram::Flags& b_en, typename E::OBram::Addrs& b_addr) {
  if (e.st_size > 0 && port.ready.read()) {  // the word on the port (valid since last cycle)
    e.st_head = e.st_head == E::kQueue - 1 ? 0 : (e.st_head + 1) & E::kQMask;
    e.st_size = (e.st_size - 1) & E::kQMask;
  }
  for (int i = kRead; i > 0; --i) e.st_reads[i] = e.st_reads[i - 1];
  e.st_reads[0].valid = false;
  const typename E::Pending arrived = e.st_reads[kRead];
  if (arrived.valid) {
    const typename E::OBram::Words rd = e.o_brdata.read();
    int tail = e.st_head + e.st_size;
    if (tail >= E::kQueue) tail -= E::kQueue;
    typename E::Store w;
    w.addr = arrived.addr;
    w.count = arrived.count;
    sc_dt::sc_int<16> m;
    m = mult;
    const int hi = pe::ActMax(r_.act_bits);
    for (int r = 0; r < E::kR; ++r) {
      // Channel r's sum: row r, or (packed depthwise) the first row of DSP r.
      const int row = e.st_stride == 2 ? 2 * r : r;
      sc_dt::sc_int<E::kAccBits> acc;
      acc = row < E::kR ? rd.v[e.st_bank * E::kR + (row < E::kR ? row : 0)] : 0;
      const int y = pe::RequantizeLane<E::kAccBits, kActBits>(acc, m, shift, hi);
      w.v[r] = r < arrived.count ? static_cast<std::uint8_t>(y) : 0;
    }
    // Word by word with constant indices: an enable per word, not a shifter over the queue.
    for (int i = 0; i < E::kQueue; ++i) {
      if (tail == i) e.st_q[i] = w;
    }
    e.st_size = (e.st_size + 1) & E::kQMask;
    e.st_inflight = (e.st_inflight - 1) & E::kQMask;
  }
  if (e.storing && e.st_inflight + e.st_size < E::kQueue) {
    b_en.v[e.st_bank] = true;
    b_addr.v[e.st_bank] = static_cast<std::uint32_t>(e.st_word);
    e.st_reads[0].valid = true;
    e.st_reads[0].addr = static_cast<std::uint32_t>(e.st_pix_addr + e.st_ch);
    e.st_reads[0].count =
        static_cast<std::uint16_t>(e.st_og == e.st_ogs - 1 ? e.st_last_rows : e.st_slots);
    e.st_inflight = (e.st_inflight + 1) & E::kQMask;
    // Next word: the next pixel of this row group, or the next row group's first.
    ++e.st_word;
    ++e.st_px;
    e.st_pix_addr += r_.out_c;
    if (e.st_px == st_out_cols_) {
      e.st_px = 0;
      ++e.st_py;
      e.st_row_addr += r_.out_row_elems;
      e.st_pix_addr = e.st_row_addr;
      if (e.st_py == st_out_rows_) {
        e.st_py = 0;
        ++e.st_og;
        e.st_ch += e.st_slots;
        e.st_row_addr = st_out_addr0_;
        e.st_pix_addr = st_out_addr0_;
        if (e.st_og == e.st_ogs) e.storing = false;
      }
    }
  }
  port.valid.write(e.st_size > 0);
  if (e.st_size > 0) {
    typename E::Store head = e.st_q[0];
    for (int i = 1; i < E::kQueue; ++i) {
      if (e.st_head == i) head = e.st_q[i];
    }
    port.data.write(head);
  }
  return !e.storing && e.st_inflight == 0 && e.st_size == 0;
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::Quiet(E& e) {
  typename E::WBram::Flags w_off;
  typename E::OBram::Flags o_off;
  e.w_aen.write(w_off);
  e.w_awe.write(w_off);
  e.w_ben.write(w_off);
  e.o_aen.write(o_off);
  e.o_awe.write(o_off);
  e.o_ben.write(o_off);
  e.wl.valid.write(false);
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ResetEngine(E& e) {
  for (int i = 0; i <= kRead; ++i) {
    e.rmw[i].valid = false;
    e.rmw[i].init = false;
    e.rmw[i].bank = false;
    e.rmw[i].addr = 0;
    for (int r = 0; r < E::kR; ++r) e.rmw[i].sums[r] = 0;
    e.st_reads[i].valid = false;
    e.st_reads[i].addr = 0;
    e.st_reads[i].count = 0;
  }
  for (int i = 0; i < kRead; ++i) {
    e.hist[i].valid = false;
    e.hist[i].init = false;
    e.hist[i].bank = false;
    e.hist[i].addr = 0;
    for (int r = 0; r < E::kR; ++r) e.hist[i].sums[r] = 0;
  }
  e.st_head = 0;
  e.st_size = 0;
  e.st_inflight = 0;
  e.storing = false;
  e.st_slots = E::kR;
  e.st_stride = 1;
}

// Each cycle: the storers, the accumulation, the sequencer, then the loader. A later sub-machine
// sees what an earlier one did in the same cycle, which is what the timing (step_cost.h) counts.
template <typename Cfg>
void AccelCore<Cfg>::Run() {
  taken_ = 0;
  loaded_ = 0;
  done_ = 0;
  tiles_odd_ = false;
  req_busy_ = false;
  rcv_busy_ = false;
  req_v_ = false;
  ll_n_ = 0;
  ll_active_ = false;
  ll_ready_ = false;
  sq_n_ = 0;
  sq_active_ = false;
  sq_first_ = false;
  sq_og_ = 0;
  sq_og_addr_ = 0;
  sq_g_ = 0;
  sq_ky_ = 0;
  sq_kx_ = 0;
  sq_block_ = 0;
  sq_px_ = 0;
  sq_py_ = 0;
  sq_p_ = 0;
  sq_row_ = 0;
  sq_pix_ = 0;
  sq_tap_ = 0;
  sq_col_ = 0;
  sq_j_ = 0;
  sq_ox_ = 0;
  sq_ox_raw_ = 0;
  sq_gx_ = 0;
  sq_oy_addr_ = 0;
  sq_oy_raw_ = 0;
  st_wait_ = false;
  bank_busy_[0] = false;
  bank_busy_[1] = false;
  storing_ = false;
  for (int i = 0; i <= kWrite; ++i) {
    tags_[i].valid = false;
    tags_[i].feed = false;
    tags_[i].dw = false;
    tags_[i].ibank = 0;
    tags_[i].kgh = 0;
    tags_[i].swap = false;
    tags_[i].init = false;
    tags_[i].end_tile = false;
    tags_[i].end_step = false;
    tags_[i].wr[0] = false;
    tags_[i].wr[1] = false;
    tags_[i].g = 0;
    tags_[i].og = 0;
    tags_[i].addr = 0;
    tags_[i].bank = false;
  }
  for (int i = 0; i <= kRead; ++i) {
    ptags_[i].valid[0] = false;
    ptags_[i].valid[1] = false;
  }
  ResetEngine(dsp);
  ResetEngine(lut);
  cmd.ready.write(false);
  ld_req.valid.write(false);
  ld.ready.write(false);
  ld_req.data.write(LoadReq());
  st_dsp.valid.write(false);
  st_lut.valid.write(false);
  dsp.in.valid.write(false);
  lut.in.valid.write(false);
  dsp.out.ready.write(true);  // the accumulation takes a sum every cycle: arrays never stall
  lut.out.ready.write(true);
  wait();
  while (true) {
    typename InBram::Flags i_aen_v, i_ben_v;
    typename InBram::Addrs i_aaddr_v, i_baddr_v;
    typename InBram::Words i_awdata_v;
    Quiet(dsp);  // enables default to off; the sub-machines below override what they use
    Quiet(lut);
    for (int i = kWrite; i > 0; --i) tags_[i] = tags_[i - 1];
    for (int i = kRead; i > 0; --i) ptags_[i] = ptags_[i - 1];
    // Port B of the partial sums: the accumulation reads one bank, the storers the other.
    typename Dsp::OBram::Flags dsp_ben;
    typename Dsp::OBram::Addrs dsp_baddr;
    typename Lut::OBram::Flags lut_ben;
    typename Lut::OBram::Addrs lut_baddr;

    // Storers: a tile whose sums are complete, both engines at once.
    if (st_wait_ && !storing_) {
      st_wait_ = false;
      storing_ = true;
      st_bank_ = st_wait_bank_;
      const TileStore s = tile_store_[st_bank_];  // a copy: read here, not through a reference
      st_out_rows_ = s.out_rows;
      st_out_cols_ = s.out_cols;
      st_out_addr0_ = s.out_addr0;
      StartStore(dsp, s, 0, st_bank_);
      StartStore(lut, s, 1, st_bank_);
    }
    const bool dsp_done = StoreCycle(dsp, st_dsp, r_.dsp_mult, r_.dsp_shift, dsp_ben, dsp_baddr);
    const bool lut_done = StoreCycle(lut, st_lut, r_.lut_mult, r_.lut_shift, lut_ben, lut_baddr);
    if (storing_ && dsp_done && lut_done) {
      storing_ = false;
      bank_busy_[st_bank_] = false;
      done_ = NextStep(done_);
    }

    // Accumulation, and the end of a step's or a tile's writes.
    Accumulate(dsp, 0, dsp_ben, dsp_baddr);
    Accumulate(lut, 1, lut_ben, lut_baddr);
    dsp.o_ben.write(dsp_ben);
    dsp.o_baddr.write(dsp_baddr);
    lut.o_ben.write(lut_ben);
    lut.o_baddr.write(lut_baddr);
    const Tag& end = tags_[kWrite];  // the step's last sum is written in this cycle
    if (end.valid && end.end_tile) {
      st_wait_ = true;
      st_wait_bank_ = end.bank;
    } else if (end.valid && end.end_step) {
      done_ = NextStep(done_);
    }

    // Sequencer: feed the arrays what was issued kL + 1 cycles ago, then issue.
    const typename InBram::Words in_words = i_brdata.read();
    FeedArray(dsp, 0, in_words);
    FeedArray(lut, 1, in_words);
    if (ptags_[kRead].valid[0]) {
      typename Dsp::Piece p;
      const typename Dsp::WBram::Words wd = dsp.w_brdata.read();
      for (int l = 0; l < Dsp::kPieceLanes; ++l) p.v[l] = wd.v[l];
      dsp.wl.data.write(p);
      dsp.wl.valid.write(true);
    }
    if (ptags_[kRead].valid[1]) {
      typename Lut::Piece p;
      const typename Lut::WBram::Words wd = lut.w_brdata.read();
      for (int l = 0; l < Lut::kPieceLanes; ++l) p.v[l] = wd.v[l];
      lut.wl.data.write(p);
      lut.wl.valid.write(true);
    }
    SequencerCycle(i_ben_v, i_baddr_v);

    // Loader.
    LoaderCycle(i_aen_v, i_aaddr_v, i_awdata_v);

    i_aen.write(i_aen_v);
    i_awe.write(i_aen_v);
    i_aaddr.write(i_aaddr_v);
    i_awdata.write(i_awdata_v);
    i_ben.write(i_ben_v);
    i_baddr.write(i_baddr_v);
    wait();
  }
}

}  // namespace msqx::accel

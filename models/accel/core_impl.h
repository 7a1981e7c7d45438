#pragma once
// Member definitions of AccelCore (core.h); kept apart so that the header shows the interface.
// Written in the subset Intel's SystemC compiler translates (docs/hls.md): references rather than
// pointers to locals, no std::min/max, no range-for, no [[fallthrough]], buses indexed through
// .v[], no braced temporaries of records, no increment inside a condition, one assignment per
// statement. No division and no multiplication per beat: loops count in filters and channels and
// addresses advance by additions; the products a step needs are formed once, when its command is
// taken (MakeStepInfo). A divider per item made the controller 190,000 LUTs (docs/hls.md).

namespace msqx::accel {

template <typename Cfg>
AccelCore<Cfg>::AccelCore(const sc_core::sc_module_name& name) : sc_module(name) {
  dsp.Bind(clk, rst);
  lut.Bind(clk, rst);
  in_buf.clk(clk);
  in_buf.rst(rst);
  in_buf.a_en(i_aen);
  in_buf.a_we(i_awe);
  in_buf.a_addr(i_aaddr);
  in_buf.a_wdata(i_awdata);
  in_buf.a_rdata(i_ardata);
  in_buf.b_en(i_ben);
  in_buf.b_we(i_bwe);
  in_buf.b_addr(i_baddr);
  in_buf.b_wdata(i_bwdata);
  in_buf.b_rdata(i_brdata);
  SC_CTHREAD(Run, clk.pos());
  reset_signal_is(rst, true);
}

template <typename Cfg>
typename AccelCore<Cfg>::StepInfo AccelCore<Cfg>::MakeStepInfo(const StepCmd& c) const {
  StepInfo s;
  s.out_row0 = c.out_row0;
  s.out_rows = c.out_rows;
  s.out_col0 = c.out_col0;
  s.out_cols = c.out_cols;
  s.in_ch0 = c.in_ch0;
  s.in_chs = c.in_chs;
  s.first_chunk = c.first_chunk;
  s.last_chunk = c.last_chunk;
  const int k = r_.kernel;
  s.win_rows = (c.out_rows - 1) * r_.stride + k;
  s.win_cols = (c.out_cols - 1) * r_.stride + k;
  s.pixels = c.out_rows * c.out_cols;
  s.row_step = r_.stride * s.win_cols;
  s.iy0 = c.out_row0 * r_.stride - r_.padding;
  s.ix0 = c.out_col0 * r_.stride - r_.padding;
  s.in_row_elems = r_.in_w * r_.in_c;
  s.in_addr0 = s.iy0 * s.in_row_elems + s.ix0 * r_.in_c + c.in_ch0;
  s.out_row_elems = r_.out_w * r_.out_c;
  s.out_addr0 = c.out_row0 * s.out_row_elems + c.out_col0 * r_.out_c;
  s.taps = k * k;
  s.tap_elems = r_.depthwise ? 1 : r_.in_c;
  s.filter_elems = s.taps * s.tap_elems;
  s.e_n[0] = c.dsp_n;
  s.e_n[1] = c.lut_n;
  s.e_ch0[0] = c.dsp_ch0;
  s.e_ch0[1] = c.lut_ch0;
  s.e_waddr0[0] = c.dsp_ch0 * s.filter_elems;
  s.e_waddr0[1] = c.lut_ch0 * s.filter_elems;
  return s;
}

template <typename Cfg>
void AccelCore<Cfg>::StartWalk(LoadWalk& w, const StepInfo& s) const {
  w.phase = 0;
  w.wy = 0;
  w.wx = 0;
  w.iy = s.iy0;
  w.ix = s.ix0;
  w.row_addr = s.in_addr0;
  w.addr = s.in_addr0;
  StartItems(w, 0);
}

template <typename Cfg>
void AccelCore<Cfg>::StartItems(LoadWalk& w, Addr og_addr) const {
  w.word = 0;
  w.f0 = 0;
  w.gc = 0;
  w.tap = 0;
  w.r = 0;
  w.og_addr = og_addr;
  w.tap_addr = 0;
  w.r_addr = 0;
}

// From the input window (or the DSP weights) to the next engine with filters, or to the end.
template <typename Cfg>
void AccelCore<Cfg>::NextPhase(LoadWalk& w, const StepInfo& s) const {
  int p = w.phase + 1;
  if (p == 1 && s.e_n[0] == 0) p = 2;
  if (p == 2 && s.e_n[1] == 0) p = 3;
  w.phase = p;
  StartItems(w, p == 1 ? s.e_waddr0[0] : s.e_waddr0[1]);
}

// Weight items in the order og, g, ky, kx, r (one word per og, g, ky, kx; its row r innermost).
template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::AdvanceWeights(LoadWalk& w, const StepInfo& s, int k) const {
  ++w.r;
  w.r_addr += s.filter_elems;
  if (w.r == E::kR) {
    w.r = 0;
    w.r_addr = 0;
    ++w.word;
    ++w.tap;
    w.tap_addr += s.tap_elems;
    if (w.tap == s.taps) {
      w.tap = 0;
      w.tap_addr = 0;
      w.gc += E::kC;
      if (w.gc >= s.in_chs) {
        w.gc = 0;
        w.f0 += E::kR;
        w.og_addr += E::kR * s.filter_elems;
        if (w.f0 >= s.e_n[k]) NextPhase(w, s);
      }
    }
  }
}

template <typename Cfg>
void AccelCore<Cfg>::Advance(LoadWalk& w, const StepInfo& s) const {
  if (w.phase == 0) {
    ++w.word;
    ++w.wx;
    ++w.ix;
    w.addr += r_.in_c;
    if (w.wx == s.win_cols) {
      w.wx = 0;
      ++w.wy;
      ++w.iy;
      w.ix = s.ix0;
      w.row_addr += s.in_row_elems;
      w.addr = w.row_addr;
      if (w.wy == s.win_rows) NextPhase(w, s);
    }
  } else if (w.phase == 1) {
    AdvanceWeights<Dsp>(w, s, 0);
  } else if (w.phase == 2) {
    AdvanceWeights<Lut>(w, s, 1);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::WeightRequest(const LoadWalk& w, const StepInfo& s, int k, LoadReq& req,
                                   int& lane0) const {
  lane0 = 0;
  req.addr = 0;
  req.count = 0;
  req.weights = true;
  const int f = w.f0 + w.r;
  if (f < s.e_n[k]) {  // else an absent filter of a partial row group: a zero beat
    const int addr = w.og_addr + w.r_addr + w.tap_addr;
    if (r_.depthwise) {
      const int lane = s.e_ch0[k] + f - s.in_ch0 - w.gc;
      if (lane >= 0 && lane < E::kC) {
        req.addr = static_cast<std::uint32_t>(addr);
        req.count = 1;
        lane0 = lane;
      }
    } else {
      const int left = s.in_chs - w.gc;
      req.addr = static_cast<std::uint32_t>(addr + s.in_ch0 + w.gc);
      req.count = static_cast<std::uint16_t>(left < E::kC ? left : E::kC);
    }
  }
}

template <typename Cfg>
void AccelCore<Cfg>::Request(const LoadWalk& w, const StepInfo& s, LoadReq& req, int& lane0) const {
  lane0 = 0;
  if (w.phase == 0) {
    req.addr = 0;
    req.count = 0;
    req.weights = false;
    if (w.iy >= 0 && w.iy < r_.in_h && w.ix >= 0 && w.ix < r_.in_w) {
      req.addr = static_cast<std::uint32_t>(w.addr);
      req.count = static_cast<std::uint16_t>(s.in_chs);
    }
  } else if (w.phase == 1) {
    WeightRequest<Dsp>(w, s, 0, req, lane0);
  } else {
    WeightRequest<Lut>(w, s, 1, req, lane0);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::StartEngine(E& e, int k) {
  e.ch0 = cp_.e_ch0[k];
  e.n = cp_.e_n[k];
  e.pixels = cp_.pixels;
  e.f0 = 0;
  e.gc = 0;
  e.ky = 0;
  e.kx = 0;
  e.ox = 0;
  e.oy = 0;
  e.in_row = 0;
  e.in_pix = 0;
  e.in_tap = 0;
  e.w_addr = 0;
  e.w_og = 0;
  e.out_f0 = 0;
  e.out_pix = 0;
  e.out_addr = 0;
  for (int i = 0; i <= kL; ++i) {
    e.tags[i].valid = false;
    e.tags[i].first = false;
    e.tags[i].last = false;
    e.tags[i].gc = 0;
    e.rmw[i].valid = false;
    e.rmw[i].addr = 0;
    for (int r = 0; r < E::kR; ++r) e.rmw[i].sums[r] = 0;
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ReceiveWeight(E& e, const LoadWalk& w, const StepInfo& s, int k,
                                   const LoadBeat& beat, int half) {
  LoadReq req;
  int lane0 = 0;
  WeightRequest<E>(w, s, k, req, lane0);
  // A word's rows arrive in order, so the word is a shift register of rows: the new row enters
  // at the top and row 0 is at the bottom when the last one arrives. Constant indices only: a
  // write at a variable row would be a decoder in front of every bit of the word.
  for (int l = 0; l < (E::kR - 1) * E::kC; ++l) e.wword.v[l] = e.wword.v[l + E::kC];
  for (int l = 0; l < E::kC; ++l) {
    e.wword.v[(E::kR - 1) * E::kC + l] = l >= lane0 ? beat.v[l - lane0] : 0;
  }
  if (w.r == E::kR - 1) {
    typename E::WBram::Flags on;
    on.v[0] = true;
    typename E::WBram::Addrs a;
    a.v[0] = static_cast<std::uint32_t>(half * E::kWHalf + w.word);
    typename E::WBram::Words wd;
    for (int l = 0; l < E::kR * E::kC; ++l) wd.v[l] = e.wword.v[l];
    e.w_aen.write(on);
    e.w_awe.write(on);
    e.w_aaddr.write(a);
    e.w_awdata.write(wd);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ComputeCycle(E& e, int bank, const typename InBram::Words& in_words,
                                  typename InBram::Addrs& in_addr, typename InBram::Flags& in_en) {
  const int k = r_.kernel;
  // The beat whose reads were issued BRAM-latency + 1 cycles ago goes to the array.
  const bool tag_valid = e.tags[kL].valid, tag_first = e.tags[kL].first, tag_last = e.tags[kL].last;
  const int tag_gc = e.tags[kL].gc;
  for (int i = kL; i > 0; --i) e.tags[i] = e.tags[i - 1];
  e.tags[0].valid = false;
  e.tags[0].first = false;
  e.tags[0].last = false;
  e.tags[0].gc = 0;
  if (tag_valid) {
    typename E::Array::InBus b;
    // The channel group's lanes of the input word; tag_gc is a multiple of kC, so this is a
    // multiplexer of the word's ceil(kIc / kC) groups, not of all its lanes.
    for (int c = 0; c < E::kC; ++c) b.act[c] = 0;
    for (int g = 0; g * E::kC < kIc; ++g) {
      if (tag_gc == g * E::kC) {
        for (int c = 0; c < E::kC; ++c) {
          b.act[c] = g * E::kC + c < kIc ? in_words.v[bank * kIc + g * E::kC + c] : 0;
        }
      }
    }
    const typename E::WBram::Words wr = e.w_brdata.read();
    for (int l = 0; l < E::kR * E::kC; ++l) b.w[l] = wr.v[l];
    b.first = tag_first;
    b.last = tag_last;
    e.in_data.write(b);
  }
  e.in_valid.write(tag_valid);

  // Issue one beat: for og, output pixel (oy, ox), channel group, ky, kx. The weight words of a
  // row group are consecutive and reread for each pixel; the input word is the pixel's corner
  // plus the tap.
  typename E::WBram::Flags w_en;
  typename E::WBram::Addrs w_addr;
  if (e.f0 < e.n) {
    in_en.v[bank] = true;
    in_addr.v[bank] = static_cast<std::uint32_t>(cp_half_ * kInHalf + e.in_pix + e.in_tap + e.kx);
    w_en.v[0] = true;
    w_addr.v[0] = static_cast<std::uint32_t>(cp_half_ * E::kWHalf + e.w_addr);
    e.tags[0].valid = true;
    e.tags[0].gc = e.gc;
    e.tags[0].first = e.gc == 0 && e.ky == 0 && e.kx == 0;
    e.tags[0].last = e.gc + E::kC >= cp_.in_chs && e.ky == k - 1 && e.kx == k - 1;
    ++e.w_addr;
    ++e.kx;
    if (e.kx == k) {
      e.kx = 0;
      ++e.ky;
      e.in_tap += cp_.win_cols;
      if (e.ky == k) {
        e.ky = 0;
        e.in_tap = 0;
        e.gc += E::kC;
        if (e.gc >= cp_.in_chs) {  // the pixel is done
          e.gc = 0;
          bool next_og = false;
          ++e.ox;
          e.in_pix += r_.stride;
          if (e.ox == cp_.out_cols) {
            e.ox = 0;
            ++e.oy;
            e.in_row += cp_.row_step;
            e.in_pix = e.in_row;
            if (e.oy == cp_.out_rows) {
              e.oy = 0;
              e.in_row = 0;
              e.in_pix = 0;
              e.f0 += E::kR;
              next_og = true;
            }
          }
          if (next_og) {
            e.w_og = e.w_addr;
          } else {
            e.w_addr = e.w_og;
          }
        }
      }
    }
  }
  e.w_ben.write(w_en);
  e.w_baddr.write(w_addr);

  // Accumulation into the output buffer: write on the first chunk, else read-add-write.
  typename E::OBram::Flags a_en, b_en;
  typename E::OBram::Addrs a_addr, b_addr;
  typename E::OBram::Words a_data;
  const bool done_valid = e.rmw[kL].valid;
  const std::uint32_t done_addr = e.rmw[kL].addr;
  std::int32_t done_sums[E::kR];
  for (int r = 0; r < E::kR; ++r) done_sums[r] = e.rmw[kL].sums[r];
  for (int i = kL; i > 0; --i) e.rmw[i] = e.rmw[i - 1];
  e.rmw[0].valid = false;
  e.rmw[0].addr = 0;
  for (int r = 0; r < E::kR; ++r) e.rmw[0].sums[r] = 0;
  if (done_valid) {
    const typename E::OBram::Words old = e.o_brdata.read();
    for (int r = 0; r < E::kR; ++r) a_data.v[r] = old.v[r] + done_sums[r];
    a_en.v[0] = true;
    a_addr.v[0] = done_addr;
  }
  if (e.out_valid.read()) {  // sums leave the array in issue order: og, pixel
    const std::uint32_t addr = static_cast<std::uint32_t>(cp_out_half_ * E::kOHalf + e.out_addr);
    ++e.out_addr;
    ++e.out_pix;
    if (e.out_pix == e.pixels) {
      e.out_pix = 0;
      e.out_f0 += E::kR;
    }
    const typename E::Array::OutBus sums = e.out_data.read();
    if (cp_.first_chunk) {
      a_en.v[0] = true;
      a_addr.v[0] = addr;
      for (int r = 0; r < E::kR; ++r) a_data.v[r] = sums.v[r];
    } else {
      b_en.v[0] = true;
      b_addr.v[0] = addr;
      e.rmw[0].valid = true;
      e.rmw[0].addr = addr;
      for (int r = 0; r < E::kR; ++r) e.rmw[0].sums[r] = sums.v[r];
    }
  }
  e.o_aen.write(a_en);
  e.o_awe.write(a_en);
  e.o_aaddr.write(a_addr);
  e.o_awdata.write(a_data);
  if (b_en.v[0]) {  // port B is the storer's when the computer does not need it (Quiet: off)
    e.o_ben.write(b_en);
    e.o_baddr.write(b_addr);
  }
}

template <typename Cfg>
void AccelCore<Cfg>::StartStore(const StepInfo& s, int engine) {
  st_e_ = engine;
  st_f0_ = 0;
  st_px_ = 0;
  st_py_ = 0;
  st_r_ = 0;
  st_wait_ = -1;
  st_raddr_ = 0;
  st_row_addr_ = s.out_addr0;
  st_pix_addr_ = s.out_addr0;
}

// One cycle of storing engine e's sums; true when its last output activation has left.
template <typename Cfg>
template <typename E>
bool AccelCore<Cfg>::StoreCycle(E& e, const StepInfo& s, int k, int half, Mult mult, int shift) {
  typename E::OBram::Flags b_en;
  typename E::OBram::Addrs b_addr;
  bool finished = false;
  bool issue = false;
  if (st_wait_ < 0) {
    issue = true;  // first word of this engine
  } else if (st_wait_ > 0) {
    --st_wait_;
    if (st_wait_ == 0) {
      const typename E::OBram::Words rd = e.o_brdata.read();
      for (int r = 0; r < E::kR; ++r) e.sword.v[r] = rd.v[r];
      st_r_ = 0;
      st_v_ = true;
    }
  } else if (st_v_ && st_ready.read()) {
    ++st_r_;
    if (st_r_ == E::kR || st_f0_ + st_r_ >= s.e_n[k]) {  // the word's filters are out: next pixel
      st_v_ = false;
      ++st_raddr_;
      ++st_px_;
      st_pix_addr_ += r_.out_c;
      if (st_px_ == s.out_cols) {
        st_px_ = 0;
        ++st_py_;
        st_row_addr_ += s.out_row_elems;
        st_pix_addr_ = st_row_addr_;
        if (st_py_ == s.out_rows) {
          st_py_ = 0;
          st_f0_ += E::kR;
          st_row_addr_ = s.out_addr0;
          st_pix_addr_ = s.out_addr0;
        }
      }
      if (st_f0_ >= s.e_n[k]) {
        finished = true;
      } else {
        issue = true;
      }
    }
  }
  if (issue) {
    b_en.v[0] = true;
    b_addr.v[0] = static_cast<std::uint32_t>(half * E::kOHalf + st_raddr_);
    st_wait_ = kL + 1;
  }
  if (st_v_) {
    const std::int32_t acc = e.sword.v[st_r_];
    const std::int64_t rounded =
        static_cast<std::int64_t>(acc) * mult + (shift > 0 ? std::int64_t{1} << (shift - 1) : 0);
    const std::int64_t hi = (std::int64_t{1} << r_.act_bits) - 1;
    const std::int64_t y = detail::Min(detail::Max(rounded >> shift, 0), hi);
    StoreBeat beat;
    beat.addr = static_cast<std::uint32_t>(st_pix_addr_ + s.e_ch0[k] + st_f0_ + st_r_);
    beat.value = static_cast<std::uint8_t>(y);
    st_data.write(beat);
  }
  if (issue) {
    e.o_ben.write(b_en);
    e.o_baddr.write(b_addr);
  }
  return finished;
}

// One cycle of storing step s's tile from partial-sum half `half`: the DSP engine's sums, then the
// LUT engine's. True when the tile's last activation has left.
template <typename Cfg>
bool AccelCore<Cfg>::StoreStep(const StepInfo& s, int half) {
  bool finished = false;
  if (st_e_ == 0) {
    finished = StoreCycle(dsp, s, 0, half, static_cast<Mult>(r_.dsp_mult), r_.dsp_shift);
  } else {
    finished = StoreCycle(lut, s, 1, half, static_cast<Mult>(r_.lut_mult), r_.lut_shift);
  }
  bool all = finished;  // one return: ICSC takes no code after a return
  if (finished && st_e_ == 0 && s.e_n[1] > 0) {
    StartStore(s, 1);
    all = false;
  }
  return all;
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::Quiet(E& e) {
  typename E::WBram::Flags w_off;
  typename E::OBram::Flags o_off;
  e.w_aen.write(w_off);
  e.w_ben.write(w_off);
  e.o_aen.write(o_off);
  e.o_awe.write(o_off);
  e.o_ben.write(o_off);
}

// Each cycle: the computer (compute, then store) first, then the loader. The computer runs first
// so that it only sees a step as loaded from the cycle after its last word was written.
template <typename Cfg>
void AccelCore<Cfg>::Run() {
  taken_ = 0;
  loaded_ = 0;
  freed_ = 0;
  done_ = 0;
  tiles_ = 0;
  loading_ = false;
  st_pending_ = false;
  storing_ = false;
  half_busy_[0] = false;
  half_busy_[1] = false;
  cp_state_ = CpState::kIdle;
  req_v_ = false;
  st_v_ = false;
  cmd_ready.write(false);
  ld_req_valid.write(false);
  ld_ready.write(false);
  st_valid.write(false);
  dsp.out_ready.write(true);  // the accumulation logic takes a sum every cycle: arrays never stall
  lut.out_ready.write(true);
  dsp.in_valid.write(false);
  lut.in_valid.write(false);
  bool cmd_ready_r = false, ld_ready_r = false;
  wait();
  while (true) {
    typename InBram::Flags i_aen_v, i_ben_v;
    typename InBram::Addrs i_aaddr_v, i_baddr_v;
    typename InBram::Words i_awdata_v;
    Quiet(dsp);  // enables default to off; the phases below override what they use
    Quiet(lut);

    // Storer (OverlapStore): before the computer, so that a half it frees can be reused at once.
    if constexpr (Cfg::kOverlapStore) {
      if (!storing_ && st_pending_) {
        storing_ = true;
        st_pending_ = false;
        st_info_ = pend_info_;
        st_half_ = pend_half_;
        StartStore(st_info_, st_info_.e_n[0] > 0 ? 0 : 1);
      }
      if (storing_) {
        if (StoreStep(st_info_, st_half_)) {
          storing_ = false;
          half_busy_[st_half_] = false;
          ++done_;
        }
      }
    }

    // Computer (an if-chain: ICSC takes no switch with [[fallthrough]]).
    if (cp_state_ == CpState::kIdle) {
      // The next step is loaded; with double-buffered sums, a new tile needs a stored half and a
      // later chunk needs port B (no store running or waiting).
      bool start = loaded_ > freed_;
      const int next_half = HalfOf(freed_, Cfg::kHalves);
      if constexpr (Cfg::kOverlapStore) {
        start = start && (info_[next_half].first_chunk ? !half_busy_[tiles_ & 1]
                                                       : !storing_ && !st_pending_);
      }
      if (start) {
        cp_half_ = next_half;
        cp_ = info_[next_half];
        if (cp_.first_chunk) {
          cp_out_half_ = HalfOf(tiles_, Cfg::kOutHalves);
          ++tiles_;
          half_busy_[cp_out_half_] = Cfg::kOverlapStore;
        }
        StartEngine(dsp, 0);
        StartEngine(lut, 1);
        cp_state_ = CpState::kCompute;  // the first beats issue in the cycle the step starts
      }
    }
    if (cp_state_ == CpState::kCompute) {
      const typename InBram::Words in_words = i_brdata.read();
      ComputeCycle(dsp, 0, in_words, i_baddr_v, i_ben_v);
      ComputeCycle(lut, 1, in_words, i_baddr_v, i_ben_v);
      if (EngineDone(dsp) && EngineDone(lut)) {
        ++freed_;
        if (cp_.last_chunk && Cfg::kOverlapStore) {
          pend_info_ = cp_;  // the storer may still be busy with the previous tile
          pend_half_ = cp_out_half_;
          st_pending_ = true;
          cp_state_ = CpState::kIdle;
        } else if (cp_.last_chunk) {
          cp_state_ = CpState::kStore;
          StartStore(cp_, dsp.n > 0 ? 0 : 1);
        } else {
          cp_state_ = CpState::kIdle;
          ++done_;
        }
      }
    } else if (cp_state_ == CpState::kStore) {
      if constexpr (!Cfg::kOverlapStore) {  // else the storer stores: no second copy of its logic
        if (StoreStep(cp_, cp_out_half_)) {
          cp_state_ = CpState::kIdle;
          ++done_;
        }
      }
    }

    // Loader.
    bool next_ld_ready = false;
    if (!loading_) {
      if (cmd_ready_r && cmd_valid.read()) {
        r_ = regs.read();
        const int half = HalfOf(taken_, Cfg::kHalves);
        info_[half] = MakeStepInfo(cmd.read());
        StartWalk(req_w_, info_[half]);
        StartWalk(rcv_w_, info_[half]);
        ++taken_;
        req_v_ = false;
        loading_ = true;
        next_ld_ready = true;
      }
    } else {
      const int half = HalfOf(taken_ - 1, Cfg::kHalves);
      const StepInfo s = info_[half];
      if (req_v_ && ld_req_ready.read()) {
        Advance(req_w_, s);
        req_v_ = false;
      }
      if (!req_v_ && req_w_.phase != 3) {
        LoadReq req;
        int lane0 = 0;
        Request(req_w_, s, req, lane0);
        ld_req.write(req);
        req_v_ = true;
      }
      next_ld_ready = true;
      if (ld_ready_r && ld_valid.read()) {
        const LoadBeat beat = ld_data.read();
        if (rcv_w_.phase == 0) {
          i_aen_v.v[0] = true;
          i_aen_v.v[1] = true;
          i_aaddr_v.v[0] = static_cast<std::uint32_t>(half * kInHalf + rcv_w_.word);
          i_aaddr_v.v[1] = static_cast<std::uint32_t>(half * kInHalf + rcv_w_.word);
          for (int l = 0; l < kIc; ++l) {
            i_awdata_v.v[l] = beat.v[l];
            i_awdata_v.v[kIc + l] = beat.v[l];
          }
        } else if (rcv_w_.phase == 1) {
          ReceiveWeight(dsp, rcv_w_, s, 0, beat, half);
        } else {
          ReceiveWeight(lut, rcv_w_, s, 1, beat, half);
        }
        Advance(rcv_w_, s);
        if (rcv_w_.phase == 3) {
          next_ld_ready = false;
          loading_ = false;
          ++loaded_;
        }
      }
    }
    // A new command needs an idle loader and a free half: with one half, the previous step must be
    // completely done; with two, the step that used this half must have finished computing.
    const int busy = taken_ - (Cfg::kOverlapLoad ? freed_ : done_);
    const bool next_cmd_ready = !loading_ && busy < Cfg::kHalves;

    i_aen.write(i_aen_v);
    i_awe.write(i_aen_v);
    i_aaddr.write(i_aaddr_v);
    i_awdata.write(i_awdata_v);
    i_ben.write(i_ben_v);
    i_baddr.write(i_baddr_v);
    ld_req_valid.write(req_v_);
    st_valid.write(st_v_);
    cmd_ready_r = next_cmd_ready;
    ld_ready_r = next_ld_ready;
    cmd_ready.write(cmd_ready_r);
    ld_ready.write(ld_ready_r);
    wait();
  }
}

}  // namespace msqx::accel

#pragma once
// Member definitions of AccelCore (core.h); kept apart so that the header shows the interface.
// Written in the subset Intel's SystemC compiler translates (docs/hls.md): references rather than
// pointers to locals, no std::min/max, no range-for, no [[fallthrough]], buses indexed through .v[],
// no braced temporaries of records, no increment inside a condition, one assignment per statement.

namespace msqx::accel {

namespace detail {
inline long long Min(long long a, long long b) { return a < b ? a : b; }
inline long long Max(long long a, long long b) { return a > b ? a : b; }
}  // namespace detail

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
  const int win_rows = (c.out_rows - 1) * r_.stride + r_.kernel;
  s.win_cols = (c.out_cols - 1) * r_.stride + r_.kernel;
  s.pixels = c.out_rows * c.out_cols;
  s.in_items = static_cast<long long>(win_rows) * s.win_cols;
  const long long taps = static_cast<long long>(r_.kernel) * r_.kernel;
  const int rows[2] = {Dsp::kR, Lut::kR}, cols[2] = {Dsp::kC, Lut::kC};
  const int n[2] = {c.dsp_n, c.lut_n}, ch0[2] = {c.dsp_ch0, c.lut_ch0};
  for (int k = 0; k < 2; ++k) {
    s.e_n[k] = n[k];
    s.e_ch0[k] = ch0[k];
    s.e_groups[k] = (c.in_chs + cols[k] - 1) / cols[k];
    s.e_row_groups[k] = (n[k] + rows[k] - 1) / rows[k];
    s.e_beats[k] = static_cast<long long>(s.e_row_groups[k]) * s.pixels * s.e_groups[k] * taps;
    s.items[k] = static_cast<long long>(s.e_row_groups[k]) * s.e_groups[k] * taps * rows[k];
  }
  return s;
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::LoadWeightItem(const StepInfo& s, int ke, long long j, LoadReq& req,
                                    int& waddr, int& lane0, int& row) const {
  const int k = r_.kernel;
  const int r = static_cast<int>(j % E::kR);
  long long t = j / E::kR;
  const int kx = static_cast<int>(t % k);
  t /= k;
  const int ky = static_cast<int>(t % k);
  t /= k;
  const int g = static_cast<int>(t % s.e_groups[ke]);
  const int og = static_cast<int>(t / s.e_groups[ke]);
  waddr = ((og * s.e_groups[ke] + g) * k + ky) * k + kx;
  row = r;
  lane0 = 0;
  req.addr = 0;
  req.count = 0;
  req.weights = true;
  const int f = og * E::kR + r;
  if (f < s.e_n[ke]) {  // else an absent filter of a partial row group: a zero beat
    const int ch = s.e_ch0[ke] + f;
    if (r_.depthwise) {
      const int lane = ch - s.in_ch0 - g * E::kC;
      if (lane >= 0 && lane < E::kC) {
        req.addr = static_cast<std::uint32_t>((ch * k + ky) * k + kx);
        req.count = 1;
        lane0 = lane;
      }
    } else {
      req.addr = static_cast<std::uint32_t>(((ch * k + ky) * k + kx) * r_.in_c + s.in_ch0 + g * E::kC);
      req.count = static_cast<std::uint16_t>(detail::Min(E::kC, s.in_chs - g * E::kC));
    }
  }
}

template <typename Cfg>
void AccelCore<Cfg>::LoadItem(const StepInfo& s, long long i, LoadReq& req, int& buf, int& waddr,
                              int& lane0, int& row) const {
  lane0 = 0;
  row = 0;
  if (i < s.in_items) {
    buf = 0;
    waddr = static_cast<int>(i);
    const int iy = s.out_row0 * r_.stride - r_.padding + static_cast<int>(i / s.win_cols);
    const int ix = s.out_col0 * r_.stride - r_.padding + static_cast<int>(i % s.win_cols);
    req.addr = 0;
    req.count = 0;
    req.weights = false;
    if (iy >= 0 && iy < r_.in_h && ix >= 0 && ix < r_.in_w) {
      req.addr = static_cast<std::uint32_t>((iy * r_.in_w + ix) * r_.in_c + s.in_ch0);
      req.count = static_cast<std::uint16_t>(s.in_chs);
    }
  } else if (i < s.in_items + s.items[0]) {
    buf = 1;
    LoadWeightItem<Dsp>(s, 0, i - s.in_items, req, waddr, lane0, row);
  } else {
    buf = 2;
    LoadWeightItem<Lut>(s, 1, i - s.in_items - s.items[0], req, waddr, lane0, row);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::StartEngine(E& e, int k) {
  e.ch0 = cp_.e_ch0[k];
  e.n = cp_.e_n[k];
  e.pixels = cp_.pixels;
  e.groups = cp_.e_groups[k];
  e.row_groups = cp_.e_row_groups[k];
  e.beats = cp_.e_beats[k];
  e.issued = 0;
  e.outputs = 0;
  e.written = 0;
  e.og = 0;
  e.pix = 0;
  e.g = 0;
  e.ky = 0;
  e.kx = 0;
  e.out_og = 0;
  e.out_pix = 0;
  for (int i = 0; i <= kL; ++i) {
    e.tags[i].valid = false;
    e.tags[i].first = false;
    e.tags[i].last = false;
    e.tags[i].g = 0;
    e.rmw[i].valid = false;
    e.rmw[i].addr = 0;
    for (int r = 0; r < E::kR; ++r) e.rmw[i].sums[r] = 0;
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ReceiveWeight(E& e, const StepInfo& s, int k, long long j,
                                   const LoadBeat& beat, int half) {
  LoadReq req;
  int waddr = 0, lane0 = 0, row = 0;
  LoadWeightItem<E>(s, k, j, req, waddr, lane0, row);
  for (int l = 0; l < E::kC; ++l) {
    e.wword.v[row * E::kC + l] = l >= lane0 ? beat.v[l - lane0] : 0;
  }
  if (row == E::kR - 1) {
    typename E::WBram::Flags on;
    on.v[0] = true;
    typename E::WBram::Addrs a;
    a.v[0] = static_cast<std::uint32_t>(half * E::kWHalf + waddr);
    typename E::WBram::Words w;
    for (int l = 0; l < E::kR * E::kC; ++l) w.v[l] = e.wword.v[l];
    e.w_aen.write(on);
    e.w_awe.write(on);
    e.w_aaddr.write(a);
    e.w_awdata.write(w);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ComputeCycle(E& e, int bank, const typename InBram::Words& in_words,
                                  typename InBram::Addrs& in_addr, typename InBram::Flags& in_en) {
  const int k = r_.kernel;
  // The beat whose reads were issued BRAM-latency + 1 cycles ago goes to the array.
  const bool tag_valid = e.tags[kL].valid, tag_first = e.tags[kL].first,
             tag_last = e.tags[kL].last;
  const int tag_g = e.tags[kL].g;
  for (int i = kL; i > 0; --i) e.tags[i] = e.tags[i - 1];
  e.tags[0].valid = false;
  e.tags[0].first = false;
  e.tags[0].last = false;
  e.tags[0].g = 0;
  if (tag_valid) {
    typename E::Array::InBus b;
    for (int c = 0; c < E::kC; ++c) {
      const int lane = tag_g * E::kC + c;
      b.act[c] = lane < kIc ? in_words.v[bank * kIc + lane] : 0;
    }
    const typename E::WBram::Words wr = e.w_brdata.read();
    for (int l = 0; l < E::kR * E::kC; ++l) b.w[l] = wr.v[l];
    b.first = tag_first;
    b.last = tag_last;
    e.in_data.write(b);
  }
  e.in_valid.write(tag_valid);

  typename E::WBram::Flags w_en;
  typename E::WBram::Addrs w_addr;
  if (e.issued < e.beats) {
    const int oy = e.pix / cp_.out_cols, ox = e.pix % cp_.out_cols;
    in_en.v[bank] = true;
    in_addr.v[bank] = static_cast<std::uint32_t>(cp_half_ * kInHalf + (oy * r_.stride + e.ky) * cp_.win_cols + ox * r_.stride + e.kx);
    w_en.v[0] = true;
    w_addr.v[0] = static_cast<std::uint32_t>(cp_half_ * E::kWHalf + ((e.og * e.groups + e.g) * k + e.ky) * k + e.kx);
    e.tags[0].valid = true;
    e.tags[0].g = e.g;
    e.tags[0].first = e.g == 0 && e.ky == 0 && e.kx == 0;
    e.tags[0].last = e.g == e.groups - 1 && e.ky == k - 1 && e.kx == k - 1;
    ++e.issued;
    ++e.kx;
    if (e.kx == k) {
      e.kx = 0;
      ++e.ky;
      if (e.ky == k) {
        e.ky = 0;
        ++e.g;
        if (e.g == e.groups) {
          e.g = 0;
          ++e.pix;
          if (e.pix == e.pixels) {
            e.pix = 0;
            ++e.og;
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
    ++e.written;
  }
  if (e.out_valid.read()) {
    const std::uint32_t addr = static_cast<std::uint32_t>(cp_out_half_ * E::kOHalf + e.out_og * e.pixels + e.out_pix);
    ++e.out_pix;
    if (e.out_pix == e.pixels) {
      e.out_pix = 0;
      ++e.out_og;
    }
    ++e.outputs;
    const typename E::Array::OutBus sums = e.out_data.read();
    if (cp_.first_chunk) {
      a_en.v[0] = true;
      a_addr.v[0] = addr;
      for (int r = 0; r < E::kR; ++r) a_data.v[r] = sums.v[r];
      ++e.written;
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

// One cycle of storing engine e's sums; true when its last output activation has left.
template <typename Cfg>
template <typename E>
bool AccelCore<Cfg>::StoreCycle(E& e, const StepInfo& s, int k, int half, int mult, int shift) {
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
    if (st_r_ == E::kR || st_og_ * E::kR + st_r_ >= s.e_n[k]) {
      st_v_ = false;
      ++st_pix_;
      if (st_pix_ == s.pixels) {
        st_pix_ = 0;
        ++st_og_;
      }
      if (st_og_ == s.e_row_groups[k]) {
        finished = true;
      } else {
        issue = true;
      }
    }
  }
  if (issue) {
    b_en.v[0] = true;
    b_addr.v[0] = static_cast<std::uint32_t>(half * E::kOHalf + st_og_ * s.pixels + st_pix_);
    st_wait_ = kL + 1;
  }
  if (st_v_) {
    const std::int64_t acc = e.sword.v[st_r_];
    const std::int64_t rounded = acc * mult + (shift > 0 ? std::int64_t{1} << (shift - 1) : 0);
    const std::int64_t hi = (std::int64_t{1} << r_.act_bits) - 1;
    const std::int64_t y = detail::Min(detail::Max(rounded >> shift, 0), hi);
    const int oy = s.out_row0 + st_pix_ / s.out_cols;
    const int ox = s.out_col0 + st_pix_ % s.out_cols;
    StoreBeat beat;
    beat.addr = static_cast<std::uint32_t>((oy * r_.out_w + ox) * r_.out_c + s.e_ch0[k] + st_og_ * E::kR + st_r_);
    beat.value = static_cast<std::uint8_t>(y);
    st_data.write(beat);
  }
  if (issue) {
    e.o_ben.write(b_en);
    e.o_baddr.write(b_addr);
  }
  return finished;
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
        st_e_ = st_info_.e_n[0] > 0 ? 0 : 1;
        st_og_ = 0;
        st_pix_ = 0;
        st_r_ = 0;
        st_wait_ = -1;
      }
      if (storing_) {
        bool finished = false;
        if (st_e_ == 0) {
          finished = StoreCycle(dsp, st_info_, 0, st_half_, r_.dsp_mult, r_.dsp_shift);
        } else {
          finished = StoreCycle(lut, st_info_, 1, st_half_, r_.lut_mult, r_.lut_shift);
        }
        if (finished) {
          st_og_ = 0;
          st_pix_ = 0;
          st_r_ = 0;
          st_wait_ = -1;
          if (st_e_ == 0 && st_info_.e_n[1] > 0) {
            st_e_ = 1;
          } else {
            storing_ = false;
            half_busy_[st_half_] = false;
            ++done_;
          }
        }
      }
    }

    // Computer (an if-chain: ICSC takes no switch with [[fallthrough]]).
    if (cp_state_ == CpState::kIdle) {
      // The next step is loaded; with double-buffered sums, a new tile needs a stored half and a
      // later chunk needs port B (no store running or waiting).
      bool start = loaded_ > freed_;
      const int next_half = static_cast<int>(freed_ % Cfg::kHalves);
      if constexpr (Cfg::kOverlapStore) {
        start = start && (info_[next_half].first_chunk ? !half_busy_[tiles_ % 2]
                                                       : !storing_ && !st_pending_);
      }
      if (start) {
        cp_half_ = next_half;
        cp_ = info_[next_half];
        if (cp_.first_chunk) {
          cp_out_half_ = static_cast<int>(tiles_ % Cfg::kOutHalves);
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
          st_e_ = dsp.n > 0 ? 0 : 1;
          st_og_ = 0;
          st_pix_ = 0;
          st_r_ = 0;
          st_wait_ = -1;
        } else {
          cp_state_ = CpState::kIdle;
          ++done_;
        }
      }
    } else if (cp_state_ == CpState::kStore) {
      bool finished = false;
      if (st_e_ == 0) {
        finished = StoreCycle(dsp, cp_, 0, cp_out_half_, r_.dsp_mult, r_.dsp_shift);
      } else {
        finished = StoreCycle(lut, cp_, 1, cp_out_half_, r_.lut_mult, r_.lut_shift);
      }
      if (finished) {
        st_og_ = 0;
        st_pix_ = 0;
        st_r_ = 0;
        st_wait_ = -1;
        if (st_e_ == 0 && lut.n > 0) {
          st_e_ = 1;
        } else {
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
        const int half = static_cast<int>(taken_ % Cfg::kHalves);
        info_[half] = MakeStepInfo(cmd.read());
        ++taken_;
        req_i_ = 0;
        rcv_i_ = 0;
        req_v_ = false;
        loading_ = true;
        next_ld_ready = true;
      }
    } else {
      const int half = static_cast<int>((taken_ - 1) % Cfg::kHalves);
      const StepInfo s = info_[half];
      const long long total = s.in_items + s.items[0] + s.items[1];
      if (req_v_ && ld_req_ready.read()) {
        ++req_i_;
        req_v_ = false;
      }
      if (!req_v_ && req_i_ < total) {
        LoadReq req;
        int buf = 0, waddr = 0, lane0 = 0, row = 0;
        LoadItem(s, req_i_, req, buf, waddr, lane0, row);
        ld_req.write(req);
        req_v_ = true;
      }
      next_ld_ready = true;
      if (ld_ready_r && ld_valid.read()) {
        const LoadBeat beat = ld_data.read();
        if (rcv_i_ < s.in_items) {
          i_aen_v.v[0] = true;
          i_aen_v.v[1] = true;
          i_aaddr_v.v[0] = static_cast<std::uint32_t>(half * kInHalf + rcv_i_);
          i_aaddr_v.v[1] = static_cast<std::uint32_t>(half * kInHalf + rcv_i_);
          for (int l = 0; l < kIc; ++l) {
            i_awdata_v.v[l] = beat.v[l];
            i_awdata_v.v[kIc + l] = beat.v[l];
          }
        } else if (rcv_i_ < s.in_items + s.items[0]) {
          ReceiveWeight(dsp, s, 0, rcv_i_ - s.in_items, beat, half);
        } else {
          ReceiveWeight(lut, s, 1, rcv_i_ - s.in_items - s.items[0], beat, half);
        }
        ++rcv_i_;
        if (rcv_i_ == total) {
          next_ld_ready = false;
          loading_ = false;
          ++loaded_;
        }
      }
    }
    // A new command needs an idle loader and a free half: with one half, the previous step must be
    // completely done; with two, the step that used this half must have finished computing.
    const long long busy = taken_ - (Cfg::kOverlapLoad ? freed_ : done_);
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

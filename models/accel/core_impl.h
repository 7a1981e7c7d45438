#pragma once
// Member definitions of AccelCore (core.h); kept apart so that the header shows the interface.

#include <algorithm>

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
  s.c = c;
  const int win_rows = (c.out_rows - 1) * r_.stride + r_.kernel;
  s.win_cols = (c.out_cols - 1) * r_.stride + r_.kernel;
  s.pixels = c.out_rows * c.out_cols;
  s.in_items = static_cast<long long>(win_rows) * s.win_cols;
  const long long taps = static_cast<long long>(r_.kernel) * r_.kernel;
  const int rows[2] = {Dsp::kR, Lut::kR}, cols[2] = {Dsp::kC, Lut::kC};
  const int n[2] = {c.dsp_n, c.lut_n}, ch0[2] = {c.dsp_ch0, c.lut_ch0};
  for (int k = 0; k < 2; ++k) {
    EngStep& e = s.e[k];
    e.n = n[k];
    e.ch0 = ch0[k];
    e.groups = (c.in_chs + cols[k] - 1) / cols[k];
    e.row_groups = (n[k] + rows[k] - 1) / rows[k];
    e.beats = static_cast<long long>(e.row_groups) * s.pixels * e.groups * taps;
    s.items[k] = static_cast<long long>(e.row_groups) * e.groups * taps * rows[k];
  }
  return s;
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::LoadWeightItem(const StepInfo& s, const EngStep& es, long long j,
                                    LoadReq* req, int* waddr, int* lane0, int* row) const {
  const int k = r_.kernel;
  const int r = static_cast<int>(j % E::kR);
  long long t = j / E::kR;
  const int kx = static_cast<int>(t % k);
  t /= k;
  const int ky = static_cast<int>(t % k);
  t /= k;
  const int g = static_cast<int>(t % es.groups);
  const int og = static_cast<int>(t / es.groups);
  *waddr = ((og * es.groups + g) * k + ky) * k + kx;
  *row = r;
  *lane0 = 0;
  *req = LoadReq{};
  req->weights = true;
  const int f = og * E::kR + r;
  if (f >= es.n) return;  // absent filter of a partial row group: a zero beat
  const int ch = es.ch0 + f;
  if (r_.depthwise) {
    const int lane = ch - s.c.in_ch0 - g * E::kC;
    if (lane >= 0 && lane < E::kC) {
      req->addr = static_cast<std::uint32_t>((ch * k + ky) * k + kx);
      req->count = 1;
      *lane0 = lane;
    }
  } else {
    req->addr = static_cast<std::uint32_t>(((ch * k + ky) * k + kx) * r_.in_c + s.c.in_ch0 + g * E::kC);
    req->count = static_cast<std::uint16_t>(std::min(E::kC, s.c.in_chs - g * E::kC));
  }
}

template <typename Cfg>
void AccelCore<Cfg>::LoadItem(const StepInfo& s, long long i, LoadReq* req, int* buf, int* waddr,
                              int* lane0, int* row) const {
  *lane0 = 0;
  *row = 0;
  if (i < s.in_items) {
    *buf = 0;
    *waddr = static_cast<int>(i);
    const int iy = s.c.out_row0 * r_.stride - r_.padding + static_cast<int>(i / s.win_cols);
    const int ix = s.c.out_col0 * r_.stride - r_.padding + static_cast<int>(i % s.win_cols);
    *req = LoadReq{};
    if (iy >= 0 && iy < r_.in_h && ix >= 0 && ix < r_.in_w) {
      req->addr = static_cast<std::uint32_t>((iy * r_.in_w + ix) * r_.in_c + s.c.in_ch0);
      req->count = static_cast<std::uint16_t>(s.c.in_chs);
    }
  } else if (i < s.in_items + s.items[0]) {
    *buf = 1;
    LoadWeightItem<Dsp>(s, s.e[0], i - s.in_items, req, waddr, lane0, row);
  } else {
    *buf = 2;
    LoadWeightItem<Lut>(s, s.e[1], i - s.in_items - s.items[0], req, waddr, lane0, row);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::StartEngine(E& e, const EngStep& es) {
  e.ch0 = es.ch0;
  e.n = es.n;
  e.pixels = cp_.pixels;
  e.groups = es.groups;
  e.row_groups = es.row_groups;
  e.beats = es.beats;
  e.issued = e.outputs = e.written = 0;
  e.og = e.pix = e.g = e.ky = e.kx = 0;
  e.out_og = e.out_pix = 0;
  for (auto& t : e.tags) t = typename E::Tag{};
  for (auto& p : e.rmw) p = typename E::Pending{};
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ReceiveWeight(E& e, const StepInfo& s, const EngStep& es, long long j,
                                   const LoadBeat& beat, int half) {
  LoadReq req;
  int waddr = 0, lane0 = 0, row = 0;
  LoadWeightItem<E>(s, es, j, &req, &waddr, &lane0, &row);
  for (int l = 0; l < E::kC; ++l) {
    e.wword[row * E::kC + l] = l >= lane0 ? beat[l - lane0] : 0;
  }
  if (row == E::kR - 1) {
    typename E::WBram::Flags on;
    on[0] = true;
    typename E::WBram::Addrs a;
    a[0] = static_cast<std::uint32_t>(half * E::kWHalf + waddr);
    typename E::WBram::Words w;
    w[0] = e.wword;
    e.w_aen.write(on);
    e.w_awe.write(on);
    e.w_aaddr.write(a);
    e.w_awdata.write(w);
  }
}

template <typename Cfg>
template <typename E>
void AccelCore<Cfg>::ComputeCycle(E& e, int bank, const typename InBram::Words& in_words,
                                  typename InBram::Addrs* in_addr, typename InBram::Flags* in_en) {
  const int k = r_.kernel;
  // The beat whose reads were issued BRAM-latency + 1 cycles ago goes to the array.
  const typename E::Tag tag = e.tags[kL];
  for (int i = kL; i > 0; --i) e.tags[i] = e.tags[i - 1];
  e.tags[0] = typename E::Tag{};
  if (tag.valid) {
    typename E::Array::InBus b;
    const InWord& word = in_words[bank];
    for (int c = 0; c < E::kC; ++c) {
      const int lane = tag.g * E::kC + c;
      b.act[c] = lane < kIc ? word[lane] : 0;
    }
    b.w = e.w_brdata.read()[0];
    b.first = tag.first;
    b.last = tag.last;
    e.in_data.write(b);
  }
  e.in_valid.write(tag.valid);

  typename E::WBram::Flags w_en;
  typename E::WBram::Addrs w_addr;
  if (e.issued < e.beats) {
    const int oy = e.pix / cp_.c.out_cols, ox = e.pix % cp_.c.out_cols;
    (*in_en)[bank] = true;
    (*in_addr)[bank] = static_cast<std::uint32_t>(cp_half_ * kInHalf + (oy * r_.stride + e.ky) * cp_.win_cols + ox * r_.stride + e.kx);
    w_en[0] = true;
    w_addr[0] = static_cast<std::uint32_t>(cp_half_ * E::kWHalf + ((e.og * e.groups + e.g) * k + e.ky) * k + e.kx);
    e.tags[0].valid = true;
    e.tags[0].g = e.g;
    e.tags[0].first = e.g == 0 && e.ky == 0 && e.kx == 0;
    e.tags[0].last = e.g == e.groups - 1 && e.ky == k - 1 && e.kx == k - 1;
    ++e.issued;
    if (++e.kx == k) {
      e.kx = 0;
      if (++e.ky == k) {
        e.ky = 0;
        if (++e.g == e.groups) {
          e.g = 0;
          if (++e.pix == e.pixels) {
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
  const typename E::Pending done = e.rmw[kL];
  for (int i = kL; i > 0; --i) e.rmw[i] = e.rmw[i - 1];
  e.rmw[0] = typename E::Pending{};
  if (done.valid) {
    const typename E::OWord old = e.o_brdata.read()[0];
    for (int r = 0; r < E::kR; ++r) a_data[0][r] = old[r] + done.sums[r];
    a_en[0] = true;
    a_addr[0] = done.addr;
    ++e.written;
  }
  if (e.out_valid.read()) {
    const auto addr = static_cast<std::uint32_t>(cp_out_half_ * E::kOHalf + e.out_og * e.pixels + e.out_pix);
    if (++e.out_pix == e.pixels) {
      e.out_pix = 0;
      ++e.out_og;
    }
    ++e.outputs;
    if (cp_.c.first_chunk) {
      a_en[0] = true;
      a_addr[0] = addr;
      a_data[0] = e.out_data.read();
      ++e.written;
    } else {
      b_en[0] = true;
      b_addr[0] = addr;
      e.rmw[0] = typename E::Pending{true, addr, e.out_data.read()};
    }
  }
  e.o_aen.write(a_en);
  e.o_awe.write(a_en);
  e.o_aaddr.write(a_addr);
  e.o_awdata.write(a_data);
  if (b_en[0]) {  // port B is the storer's when the computer does not need it (Quiet: off)
    e.o_ben.write(b_en);
    e.o_baddr.write(b_addr);
  }
}

// One cycle of storing engine e's sums; true when its last output activation has left.
template <typename Cfg>
template <typename E>
bool AccelCore<Cfg>::StoreCycle(E& e, const StepInfo& s, const EngStep& es, int half, int mult,
                                int shift) {
  typename E::OBram::Flags b_en;
  typename E::OBram::Addrs b_addr;
  bool finished = false;
  bool issue = false;
  if (st_wait_ < 0) {
    issue = true;  // first word of this engine
  } else if (st_wait_ > 0) {
    if (--st_wait_ == 0) {
      e.sword = e.o_brdata.read()[0];
      st_r_ = 0;
      st_v_ = true;
    }
  } else if (st_v_ && st_ready.read()) {
    ++st_r_;
    if (st_r_ == E::kR || st_og_ * E::kR + st_r_ >= es.n) {
      st_v_ = false;
      if (++st_pix_ == s.pixels) {
        st_pix_ = 0;
        ++st_og_;
      }
      if (st_og_ == es.row_groups) {
        finished = true;
      } else {
        issue = true;
      }
    }
  }
  if (issue) {
    b_en[0] = true;
    b_addr[0] = static_cast<std::uint32_t>(half * E::kOHalf + st_og_ * s.pixels + st_pix_);
    st_wait_ = kL + 1;
  }
  if (st_v_) {
    const std::int64_t acc = e.sword[st_r_];
    const std::int64_t rounded = acc * mult + (shift > 0 ? std::int64_t{1} << (shift - 1) : 0);
    const std::int64_t hi = (std::int64_t{1} << r_.act_bits) - 1;
    const std::int64_t y = std::min(std::max(rounded >> shift, std::int64_t{0}), hi);
    const int oy = s.c.out_row0 + st_pix_ / s.c.out_cols;
    const int ox = s.c.out_col0 + st_pix_ % s.c.out_cols;
    StoreBeat beat;
    beat.addr = static_cast<std::uint32_t>((oy * r_.out_w + ox) * r_.out_c + es.ch0 + st_og_ * E::kR + st_r_);
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
  e.w_aen.write(typename E::WBram::Flags{});
  e.w_ben.write(typename E::WBram::Flags{});
  e.o_aen.write(typename E::OBram::Flags{});
  e.o_awe.write(typename E::OBram::Flags{});
  e.o_ben.write(typename E::OBram::Flags{});
}

// Each cycle: the computer (compute, then store) first, then the loader. The computer runs first
// so that it only sees a step as loaded from the cycle after its last word was written.
template <typename Cfg>
void AccelCore<Cfg>::Run() {
  taken_ = loaded_ = freed_ = done_ = tiles_ = 0;
  loading_ = st_pending_ = storing_ = false;
  half_busy_[0] = half_busy_[1] = false;
  cp_state_ = CpState::kIdle;
  req_v_ = st_v_ = false;
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
        st_e_ = st_info_.e[0].n > 0 ? 0 : 1;
        st_og_ = st_pix_ = st_r_ = 0;
        st_wait_ = -1;
      }
      if (storing_) {
        const bool finished =
            st_e_ == 0
                ? StoreCycle(dsp, st_info_, st_info_.e[0], st_half_, r_.dsp_mult, r_.dsp_shift)
                : StoreCycle(lut, st_info_, st_info_.e[1], st_half_, r_.lut_mult, r_.lut_shift);
        if (finished) {
          st_og_ = st_pix_ = st_r_ = 0;
          st_wait_ = -1;
          if (st_e_ == 0 && st_info_.e[1].n > 0) {
            st_e_ = 1;
          } else {
            storing_ = false;
            half_busy_[st_half_] = false;
            ++done_;
          }
        }
      }
    }

    // Computer.
    switch (cp_state_) {
      case CpState::kIdle: {
        // The next step is loaded; with double-buffered sums, a new tile needs a stored half and a
        // later chunk needs port B (no store running or waiting).
        bool start = loaded_ > freed_;
        const StepInfo& next = info_[freed_ % Cfg::kHalves];
        if constexpr (Cfg::kOverlapStore) {
          start = start && (next.c.first_chunk ? !half_busy_[tiles_ % 2] : !storing_ && !st_pending_);
        }
        if (start) {
          cp_half_ = static_cast<int>(freed_ % Cfg::kHalves);
          cp_ = next;
          if (cp_.c.first_chunk) {
            cp_out_half_ = static_cast<int>(tiles_ % Cfg::kOutHalves);
            ++tiles_;
            half_busy_[cp_out_half_] = Cfg::kOverlapStore;
          }
          StartEngine(dsp, cp_.e[0]);
          StartEngine(lut, cp_.e[1]);
          cp_state_ = CpState::kCompute;
        } else {
          break;
        }
      }
        [[fallthrough]];  // the first beats issue in the cycle the step starts
      case CpState::kCompute: {
        const typename InBram::Words in_words = i_brdata.read();
        ComputeCycle(dsp, 0, in_words, &i_baddr_v, &i_ben_v);
        ComputeCycle(lut, 1, in_words, &i_baddr_v, &i_ben_v);
        if (EngineDone(dsp) && EngineDone(lut)) {
          ++freed_;
          if (cp_.c.last_chunk && Cfg::kOverlapStore) {
            pend_info_ = cp_;  // the storer may still be busy with the previous tile
            pend_half_ = cp_out_half_;
            st_pending_ = true;
            cp_state_ = CpState::kIdle;
          } else if (cp_.c.last_chunk) {
            cp_state_ = CpState::kStore;
            st_e_ = dsp.n > 0 ? 0 : 1;
            st_og_ = st_pix_ = st_r_ = 0;
            st_wait_ = -1;
          } else {
            cp_state_ = CpState::kIdle;
            ++done_;
          }
        }
        break;
      }
      case CpState::kStore: {
        const bool finished =
            st_e_ == 0 ? StoreCycle(dsp, cp_, cp_.e[0], cp_out_half_, r_.dsp_mult, r_.dsp_shift)
                       : StoreCycle(lut, cp_, cp_.e[1], cp_out_half_, r_.lut_mult, r_.lut_shift);
        if (finished) {
          st_og_ = st_pix_ = st_r_ = 0;
          st_wait_ = -1;
          if (st_e_ == 0 && lut.n > 0) {
            st_e_ = 1;
          } else {
            cp_state_ = CpState::kIdle;
            ++done_;
          }
        }
        break;
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
        req_i_ = rcv_i_ = 0;
        req_v_ = false;
        loading_ = true;
        next_ld_ready = true;
      }
    } else {
      const int half = static_cast<int>((taken_ - 1) % Cfg::kHalves);
      const StepInfo& s = info_[half];
      const long long total = s.in_items + s.items[0] + s.items[1];
      if (req_v_ && ld_req_ready.read()) {
        ++req_i_;
        req_v_ = false;
      }
      if (!req_v_ && req_i_ < total) {
        LoadReq req;
        int buf = 0, waddr = 0, lane0 = 0, row = 0;
        LoadItem(s, req_i_, &req, &buf, &waddr, &lane0, &row);
        ld_req.write(req);
        req_v_ = true;
      }
      next_ld_ready = true;
      if (ld_ready_r && ld_valid.read()) {
        const LoadBeat beat = ld_data.read();
        if (rcv_i_ < s.in_items) {
          i_aen_v[0] = i_aen_v[1] = true;
          i_aaddr_v[0] = i_aaddr_v[1] = static_cast<std::uint32_t>(half * kInHalf + rcv_i_);
          i_awdata_v[0] = i_awdata_v[1] = beat;
        } else if (rcv_i_ < s.in_items + s.items[0]) {
          ReceiveWeight(dsp, s, s.e[0], rcv_i_ - s.in_items, beat, half);
        } else {
          ReceiveWeight(lut, s, s.e[1], rcv_i_ - s.in_items - s.items[0], beat, half);
        }
        if (++rcv_i_ == total) {
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

#pragma once
// Bus types of the pin-level models. A bus is a fixed-size record of narrow integers: it maps to
// a packed bit vector in HLS (the field widths are the config's kActBits / kWeightBits, checked by
// static_assert where a bus is declared), and simulates far faster than sc_biguint of the same
// width, which is what keeps a whole engine inside one clocked process fast enough.

#include <cstdint>
#include <ostream>
#include <string>
#include <systemc>
#include <type_traits>

namespace msqx::pe {

template <typename T, int N>
struct Bus {
  T v[N];
  Bus() {
    for (int i = 0; i < N; ++i) v[i] = 0;
  }
  bool operator==(const Bus& o) const {
    for (int i = 0; i < N; ++i) {
      if (v[i] != o.v[i]) return false;
    }
    return true;
  }
  bool operator!=(const Bus& o) const { return !(*this == o); }
  T& operator[](int i) { return v[i]; }
  const T& operator[](int i) const { return v[i]; }
};

template <typename T, int N>
std::ostream& operator<<(std::ostream& os, const Bus<T, N>& b) {
  os << '{';
  for (int i = 0; i < N; ++i) {
    os << (i ? "," : "");
    if constexpr (std::is_integral_v<T>) {
      os << static_cast<long long>(b.v[i]);
    } else {
      os << b.v[i];
    }
  }
  return os << '}';
}

template <typename T, int N>
void sc_trace(sc_core::sc_trace_file* tf, const Bus<T, N>& b, const std::string& name) {
  for (int i = 0; i < N; ++i) {
    if constexpr (std::is_integral_v<T>) {
      sc_core::sc_trace(tf, b.v[i], name + "_" + std::to_string(i));
    } else {
      sc_trace(tf, b.v[i], name + "_" + std::to_string(i));
    }
  }
}

template <int Rows>
using AccBus = Bus<std::int32_t, Rows>;

}  // namespace msqx::pe

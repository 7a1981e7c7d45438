#pragma once
// The values of a pin-level top's ports, cycle by cycle, written for an RTL co-simulation: the
// testbench of an exported project records what its SystemC top saw and did, and `msqx hls
// --check` replays the inputs into ICSC's translation of the same top under Verilator and compares
// every output in every cycle (dse/hls/cosim.h, docs/hls.md "RTL co-simulation").
//
// Ports are named as ICSC names them in its SystemVerilog: a record's fields and a modular
// interface's members joined with '_' (`cmd_data_out_rows`, `ld_req_valid`), an array member's
// elements indexed (`ld_data_v[3]`). Each is one scalar of at most 64 bits.
//
// Format (text): a header, then per cycle the elements that changed since the cycle before and a
// line "." that ends the cycle. The values of cycle t are those between clock edges t and t + 1:
// the inputs the top takes at edge t + 1 and the outputs it drove after edge t.
//   msqx.port_trace 1
//   port <index> <name> <in|out> <bits>
//   ...
//   cycles
//   <index> <hex value>      (two's complement in <bits> bits)
//   .
//
// Simulation only (files, strings): never part of what is synthesized.

#include <cstdint>
#include <cstdio>
#include <string>
#include <systemc>
#include <type_traits>
#include <vector>

namespace msqx::pe {

class PortTrace {
 public:
  PortTrace() = default;
  PortTrace(const PortTrace&) = delete;
  PortTrace& operator=(const PortTrace&) = delete;
  ~PortTrace() {
    if (file_ != nullptr) std::fclose(file_);
  }

  // Starts a trace; false when the file cannot be written.
  bool Open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "w");
    return file_ != nullptr;
  }
  bool open() const { return file_ != nullptr; }

  // The cycle's value of the next element. In the first cycle the calls declare the elements
  // (name = prefix_field, or prefix_field[index] when index >= 0; prefix alone when field is
  // empty); afterwards they must come in the same order, and names are not built.
  void Add(const char* prefix, const char* field, int index, bool input, std::uint64_t value,
           int bits) {
    const std::uint64_t mask = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    if (!declared_) {
      std::string name = prefix;
      if (field[0] != '\0') name += std::string("_") + field;
      if (index >= 0) name += "[" + std::to_string(index) + "]";
      names_.push_back(name);
      inputs_.push_back(input);
      bits_.push_back(bits);
      values_.push_back(~(value & mask));  // differs: every element is written in cycle 0
    }
    const std::size_t i = next_++;
    if (values_[i] != (value & mask)) {
      values_[i] = value & mask;
      changed_.push_back(i);
    }
  }
  template <typename T>
  void Field(const char* prefix, const char* field, int index, bool input, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      Add(prefix, field, index, input, value ? 1 : 0, 1);
    } else if constexpr (std::is_integral_v<T>) {
      Add(prefix, field, index, input, static_cast<std::uint64_t>(static_cast<std::int64_t>(value)),
          static_cast<int>(8 * sizeof(T)));
    } else {  // sc_int<W> / sc_uint<W>
      Add(prefix, field, index, input, static_cast<std::uint64_t>(value.to_int64()),
          value.length());
    }
  }

  // Ends the cycle: the header after the first one, then the changes.
  void EndCycle() {
    if (file_ == nullptr) return;
    if (!declared_) {
      std::fprintf(file_, "msqx.port_trace 1\n");
      for (std::size_t i = 0; i < names_.size(); ++i) {
        std::fprintf(file_, "port %zu %s %s %d\n", i, names_[i].c_str(), inputs_[i] ? "in" : "out",
                     bits_[i]);
      }
      std::fprintf(file_, "cycles\n");
      declared_ = true;
    }
    for (std::size_t i : changed_) {
      std::fprintf(file_, "%zu %llx\n", i, static_cast<unsigned long long>(values_[i]));
    }
    std::fputs(".\n", file_);
    changed_.clear();
    next_ = 0;
  }

 private:
  std::FILE* file_ = nullptr;
  bool declared_ = false;
  std::size_t next_ = 0;
  std::vector<std::string> names_;
  std::vector<bool> inputs_;
  std::vector<int> bits_;
  std::vector<std::uint64_t> values_;
  std::vector<std::size_t> changed_;
};

}  // namespace msqx::pe

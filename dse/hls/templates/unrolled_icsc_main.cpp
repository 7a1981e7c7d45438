// Elaboration top for Intel's SystemC compiler (ICSC; copied verbatim by `msqx hls` for unrolled
// designs): Top inside a wrapper whose ports are all bound, `tb.top`. Nothing is simulated.
#include <systemc>

#include "msqx_top.h"

struct IcscTb : sc_core::sc_module {
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<bool> in_valid{"in_valid"}, in_ready{"in_ready"};
  sc_core::sc_signal<Top::InBus> in_data{"in_data"};
  sc_core::sc_signal<bool> out_valid{"out_valid"}, out_ready{"out_ready"};
  sc_core::sc_signal<Top::OutBus> out_data{"out_data"};
  Top top{"top"};

  explicit IcscTb(const sc_core::sc_module_name& n) : sc_module(n) {
    top.clk(clk);
    top.rst(rst);
    top.in_valid(in_valid);
    top.in_ready(in_ready);
    top.in_data(in_data);
    top.out_valid(out_valid);
    top.out_ready(out_ready);
    top.out_data(out_data);
  }
};

int sc_main(int, char*[]) {
  IcscTb tb("tb");
  // Unqualified: ICSC's tool build replaces sc_start with its elaboration and translation.
  using namespace sc_core;
  sc_start();
  return 0;
}

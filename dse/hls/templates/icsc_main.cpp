// Elaboration top for Intel's SystemC compiler (ICSC; copied verbatim by `msqx hls`): ICSC
// translates a module instantiated inside a wrapper whose ports are all bound, here `tb.top`
// (svc_target(... ELAB_TOP tb.top) in icsc/CMakeLists.txt). Nothing is simulated.
#include <systemc>

#include "msqx_top.h"

struct IcscTb : sc_core::sc_module {
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<msqx::accel::LayerRegs> regs{"regs"};
  sc_core::sc_signal<bool> cmd_valid{"cmd_valid"}, cmd_ready{"cmd_ready"};
  sc_core::sc_signal<msqx::accel::StepCmd> cmd{"cmd"};
  sc_core::sc_signal<bool> req_valid{"req_valid"}, req_ready{"req_ready"};
  sc_core::sc_signal<msqx::accel::LoadReq> req{"req"};
  sc_core::sc_signal<bool> ld_valid{"ld_valid"}, ld_ready{"ld_ready"};
  sc_core::sc_signal<Top::LoadBeat> ld_data{"ld_data"};
  sc_core::sc_signal<bool> st_valid{"st_valid"}, st_ready{"st_ready"};
  sc_core::sc_signal<msqx::accel::StoreBeat> st_data{"st_data"};
  Top top{"top"};

  explicit IcscTb(const sc_core::sc_module_name& n) : sc_module(n) {
    top.clk(clk);
    top.rst(rst);
    top.regs(regs);
    top.cmd_valid(cmd_valid);
    top.cmd_ready(cmd_ready);
    top.cmd(cmd);
    top.ld_req_valid(req_valid);
    top.ld_req_ready(req_ready);
    top.ld_req(req);
    top.ld_valid(ld_valid);
    top.ld_ready(ld_ready);
    top.ld_data(ld_data);
    top.st_valid(st_valid);
    top.st_ready(st_ready);
    top.st_data(st_data);
  }
};

int sc_main(int, char*[]) {
  IcscTb tb("tb");
  // Unqualified: ICSC's tool build replaces sc_start with its elaboration and translation.
  using namespace sc_core;
  sc_start();
  return 0;
}

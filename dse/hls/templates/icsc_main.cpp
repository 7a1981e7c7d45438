// Elaboration top for Intel's SystemC compiler (ICSC; copied verbatim by `msqx hls`): ICSC
// translates a module instantiated inside a wrapper whose ports are all bound, here `tb.top`
// (svc_target(... ELAB_TOP tb.top) in icsc/CMakeLists.txt). Nothing is simulated.
#include <systemc>

#include "msqx_top.h"

struct IcscTb : sc_core::sc_module {
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_signal<bool> rst{"rst"};
  sc_core::sc_signal<msqx::accel::CoreRegs> regs{"regs"};
  msqx::pe::Channel<msqx::accel::CoreCmd> cmd{"cmd"};
  msqx::pe::Channel<msqx::accel::LoadReq> ld_req{"ld_req"};
  msqx::pe::Channel<Top::LoadBeat> ld{"ld"};
  msqx::pe::Channel<Top::Dsp::Store> st_dsp{"st_dsp"};
  msqx::pe::Channel<Top::Lut::Store> st_lut{"st_lut"};
  Top top{"top"};

  explicit IcscTb(const sc_core::sc_module_name& n) : sc_module(n) {
    top.clk(clk);
    top.rst(rst);
    top.regs(regs);
    top.cmd.Bind(cmd);
    top.ld_req.Bind(ld_req);
    top.ld.Bind(ld);
    top.st_dsp.Bind(st_dsp);
    top.st_lut.Bind(st_lut);
  }
};

int sc_main(int, char*[]) {
  IcscTb tb("tb");
  // Unqualified: ICSC's tool build replaces sc_start with its elaboration and translation.
  using namespace sc_core;
  sc_start();
  return 0;
}

// The msqx executable. SystemC owns elaboration, so main hands over to sc_elab_and_sim, which
// calls sc_main; the copyright banner is switched off so that machine-read output stays clean.
#include <csignal>
#include <cstdlib>
#include <systemc>

#include "sim/cli/commands.h"

int sc_main(int argc, char** argv) { return msqx::cli::Dispatch(argc, argv); }

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // A write past the file size limit (ulimit -f) then fails with EFBIG, which msqx reports like a
  // full disk, instead of killing msqx with a core dump and no message.
  std::signal(SIGXFSZ, SIG_IGN);
  return sc_core::sc_elab_and_sim(argc, argv);
}

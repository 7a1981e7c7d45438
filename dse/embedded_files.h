#pragma once
// Files of the source tree compiled into msqx (cmake/EmbedFiles.cmake), for the projects that
// `msqx hls` writes: the synthesizable headers and the testbench templates.

#include <string>
#include <vector>

namespace msqx::dse {

struct EmbeddedFile {
  std::string path;  // relative to the source tree, e.g. "models/pe/pe_array.h"
  std::string content;
};

// The synthesizable pin-level core and everything it includes (models/pe, models/mem/bram.h,
// models/accel/core*.h), plus the golden model the exported testbench checks against.
const std::vector<EmbeddedFile>& HlsCoreSources();
// dse/hls_templates/: the testbench and the ICSC elaboration top, copied verbatim.
const std::vector<EmbeddedFile>& HlsTemplates();

}  // namespace msqx::dse

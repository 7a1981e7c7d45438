#pragma once
// Files of the source tree compiled into msqx (cmake/EmbedFiles.cmake), for the projects that
// `msqx hls` writes: the synthesizable headers and the testbench templates.

#include <string>
#include <vector>

namespace msqx::hls {

struct EmbeddedFile {
  std::string path;  // relative to the source tree, e.g. "models/pe/pe_array.h"
  std::string content;
};

// The synthesizable pin-level core and everything it includes (models/pe, models/mem/bram.h,
// models/accel/core*.h), plus the golden model the exported testbench checks against.
const std::vector<EmbeddedFile>& HlsCoreSources();
// The unrolled dense layer (models/unrolled/dense_pin.h) and what it includes.
const std::vector<EmbeddedFile>& HlsUnrolledSources();
// dse/hls/templates/: the testbenches and the ICSC elaboration tops, copied verbatim.
const std::vector<EmbeddedFile>& HlsTemplates();
// The content of the template named `file_name` (e.g. "tb_main.cpp"); std::logic_error when absent.
const std::string& HlsTemplate(const std::string& file_name);

}  // namespace msqx::hls

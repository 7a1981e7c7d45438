#pragma once
// The build files of an exported HLS project (dse/hls_export.h): CMake for simulation with
// Debian's SystemC, an ICSC project, Catapult and Stratus scripts and the project's README.

#include <filesystem>
#include <string>

#include "sim/spec/design.h"
#include "sim/spec/network.h"

namespace msqx::dse {

struct HlsExport;

// Writes `text` to `path`, creating its folder; std::runtime_error when it cannot.
void WriteProjectFile(const std::filesystem::path& path, const std::string& text);

// Yosys synth_xilinx family and a vendor part of the device (the board it is best known on);
// the part is only a default in the Catapult and Stratus scripts.
std::string YosysFamily(const spec::DeviceSpec& device);
std::string VendorPart(const spec::DeviceSpec& device);

void WriteBuildScripts(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                       const HlsExport& exported, const std::filesystem::path& dir);

}  // namespace msqx::dse

#pragma once
// The build files of an exported HLS project (dse/hls/export.h): CMake for simulation with
// Debian's SystemC, an ICSC project, Catapult and Stratus scripts and the project's README.

#include <filesystem>
#include <string>
#include <vector>

#include "models/spec/design.h"
#include "models/spec/network.h"

namespace msqx::hls {

struct HlsExport;

// Writes `text` to `path`, creating its folder; std::runtime_error when it cannot.
void WriteProjectFile(const std::filesystem::path& path, const std::string& text);

// Creates the project folder; a check of an earlier export there says nothing of this one.
void StartProject(const std::filesystem::path& dir);

// Pieces every generated header shares: the "generated, do not edit" line naming the config it
// came from, the design's clock as a constant, and the Top alias with its plain-named twin.
std::string GeneratedBanner(const std::string& source);
std::string ClockDeclaration(double clock_mhz);
std::string TopDeclarations(const std::string& top_type);

// Yosys synth_xilinx family and a vendor part of the device (the board it is best known on);
// the part is only a default in the Catapult and Stratus scripts.
std::string YosysFamily(const spec::DeviceSpec& device);
std::string VendorPart(const spec::DeviceSpec& device);

// What the build scripts of a project need to know.
struct ProjectInfo {
  std::string name;  // the design's
  spec::DeviceSpec device;
  double clock_mhz = 200;
  std::string top_type;  // the C++ type Top aliases, for tools that take a type name
};

// CMakeLists.txt (simulation), icsc/CMakeLists.txt, catapult/directives.tcl, stratus/project.tcl.
void WriteBuildScripts(const ProjectInfo& project, const std::filesystem::path& dir);
// The project README's part about ICSC, Yosys, Catapult and Stratus; `systemverilog`: what the
// translation instantiates besides ICSC's output (the block RAM), relative to the project folder.
std::string ToolsReadme(const ProjectInfo& project,
                        const std::vector<std::string>& systemverilog = {});
// The README of an accelerator-template export.
std::string TemplateReadme(const spec::DesignSpec& design, const spec::NetworkSpec& network,
                           const HlsExport& exported);
// The design's clock period in ns as the scripts write it.
std::string ClockPeriodNs(double clock_mhz);

}  // namespace msqx::hls

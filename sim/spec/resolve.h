#pragma once
// Named configs ("device": "xc7z045") resolve to files under the config directory; anything that
// looks like a path (contains '/' or ends in ".json") is a path, relative to the file that names
// it, or to the working directory on the command line.

#include <string>
#include <vector>

#include "design.h"
#include "device.h"
#include "network.h"
#include "sweep.h"
#include "unrolled_design.h"

namespace msqx::spec {

class ConfigResolver {
 public:
  // config_dir: $MSQX_CONFIG_DIR if set, else the configs/ folder of the source tree.
  ConfigResolver();
  explicit ConfigResolver(std::string config_dir);

  const std::string& config_dir() const { return config_dir_; }

  // kind: "devices", "networks", "designs", "sweeps". `relative_to` is the file that names it
  // ("" = the working directory). `where` is the Node that holds the reference, for errors.
  std::string Resolve(const std::string& kind, const std::string& name_or_path,
                      const std::string& relative_to = "") const;
  std::vector<std::string> Names(const std::string& kind) const;  // shipped names, sorted

  DeviceSpec LoadDevice(const std::string& name_or_path, const std::string& relative_to = "") const;
  NetworkSpec LoadNetwork(const std::string& name_or_path,
                          const std::string& relative_to = "") const;
  DesignSpec LoadDesign(const std::string& name_or_path, const std::string& relative_to = "") const;
  SweepSpec LoadSweep(const std::string& name_or_path, const std::string& relative_to = "") const;
  // Designs of the unrolled kind ("kind": "unrolled", unrolled_design.h).
  bool IsUnrolledDesign(const std::string& name_or_path) const;
  UnrolledDesignSpec LoadUnrolledDesign(const std::string& name_or_path,
                                        const std::string& relative_to = "") const;
  // Sweeps of unrolled designs ("kind": "unrolled", unrolled_design.h).
  bool IsUnrolledSweep(const std::string& name_or_path) const;
  UnrolledSweepSpec LoadUnrolledSweep(const std::string& name_or_path) const;

 private:
  std::string config_dir_;
};

// Resolves a reference held in a config file; an unknown name fails at that node's path.
std::string ResolveAt(const ConfigResolver& resolver, const std::string& kind, const Node& ref);

}  // namespace msqx::spec

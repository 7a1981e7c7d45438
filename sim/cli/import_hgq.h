#pragma once
// `msqx import model.h5|model.keras` (HGQ2 models): sim/io/hgq_import.h converts, this writes
// network.json, weights/ (dse/unrolled_weights.h), design.json and import.json into the output
// folder so that it appears whole or not at all, after reading the result back through the
// configs' own parsers as `msqx sim` will.

#include <string>

#include "sim/cli/options.h"

namespace msqx::cli {

// Whether `model` names a Keras file (.h5, .hdf5 or .keras) rather than an ONNX model.
bool IsKerasModel(const std::string& model);

// `command_line` is recorded in the output folder's manifest.
int RunImportHgq(const std::string& model, const po::variables_map& vm,
                 const std::string& command_line);

}  // namespace msqx::cli

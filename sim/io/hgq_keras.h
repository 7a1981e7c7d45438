#pragma once
// An HGQ2-trained Keras 3 model as its checkpoint stores it, read without Python: the `.keras`
// archive (config.json + model.weights.h5, variables numbered per layer as Keras' saving_lib
// writes them) or the legacy `.h5` file (model_config attribute + model_weights/<layer>, variables
// named by their paths). Only what an unrolled fc network needs is read: the chain of QDense,
// QBatchNormDense, QEinsumDense and QEinsumDenseBatchnorm layers (with ReLU, Activation, Dropout
// and Flatten layers between them), their kernels, biases, batch-norm statistics, the k/b/i/f
// tensors of their input, kernel and bias quantizers and the EBOPs HGQ stored. Anything else is a
// spec::ConfigError naming the file, the layer and its class, or the HDF5 path and what was
// expected. The layout is that of HGQ2 at commit 88ddffd (2026-07) and Keras 3's saving code;
// sim/io/hgq_import.h folds and quantizes what this reads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/unrolled/precision.h"

namespace msqx::io {

// One HGQ2 fixed-point quantizer (FixedPointQuantizerKBI or KIF), its bit widths rounded as HGQ
// rounds them (round half to even of the stored floats) and broadcast to its tensor, in the
// tensor's C order: k, i and f per element (f = b - i for the KBI parametrization).
struct HgqQuantizer {
  std::string where;  // the HDF5 group (or layer) of its variables, for messages
  bool kbi = true;
  unrolled::Overflow overflow = unrolled::Overflow::kWrap;
  std::vector<int> k, i, f;
};

enum class HgqBatchNorm {
  kNone,
  kInputs,   // QBatchNormDense: statistics of the layer's inputs, one per input feature
  kOutputs,  // QEinsumDenseBatchnorm: statistics of the einsum's outputs, one per unit
};

// One dense layer in Keras' Dense layout: kernel[j * units + o] for input j, output o.
struct HgqDenseData {
  std::string name;        // the Keras layer name
  std::string class_name;  // QDense, QBatchNormDense, QEinsumDense, QEinsumDenseBatchnorm
  std::string where;       // the HDF5 group of its variables
  int in_features = 0;
  int units = 0;
  bool relu = false;  // its activation, or a ReLU layer right after it
  std::vector<float> kernel;
  std::vector<float> bias;  // empty: no bias
  HgqBatchNorm batch_norm = HgqBatchNorm::kNone;
  std::vector<float> bn_gamma;  // empty: scale = False (gamma 1)
  std::vector<float> bn_mean, bn_variance;
  float bn_epsilon = 0;  // what HGQ adds to the variance (float32)
  HgqQuantizer iq;       // [in]
  HgqQuantizer kq;       // [in][units]
  std::optional<HgqQuantizer> bq;
  std::optional<std::int64_t> stored_ebops;  // the layer's `ebops` variable
};

struct HgqModelData {
  std::string file;
  std::string format;  // "keras" or "h5"
  std::string keras_version;
  std::string name;
  int input_features = 0;
  std::vector<HgqDenseData> layers;
  std::vector<std::string> notes;  // what was skipped or assumed
};

// Reads `path`: a zip archive is a .keras file, an HDF5 file a legacy .h5 (by content, not name).
HgqModelData ReadHgqModel(const std::string& path);

}  // namespace msqx::io

#pragma once
// Internals of the HGQ2 reader (sim/io/hgq_keras.cpp): where a layer's variables and its
// quantizers' variables are in either file layout, and how a quantizer's k/b/i/f tensors are read.
// Not an interface of its own; sim/io/hgq_keras.h is.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/io/hdf5_file.h"
#include "sim/io/hgq_keras.h"

namespace msqx::io::hgq {

using nlohmann::json;

// A serialized Keras object {"class_name": ..., "config": {...}} stands for its config.
const json& Inner(const json& j);
// "hgq>QDense" (a registered name) and "QDense" alike.
std::string ClassOf(const json& layer);
// Member `key` of `j` if `j` is an object that has it, else null: reading a config never throws
// on an unexpected type (the reader says what it expected instead).
json Member(const json& j, const char* key);
std::string StringOr(const json& j, const char* key, const std::string& fallback);
bool BoolOr(const json& j, const char* key, bool fallback);
double NumberOr(const json& j, const char* key, double fallback);

// Where the variables of one layer and of its quantizers are, in either file format.
class Variables {
 public:
  virtual ~Variables() = default;
  // The layer's own variable of `role` (kernel, bias, gamma, moving_mean, moving_variance, beta,
  // ebops) given the roles it holds in order; nullopt when it does not hold it.
  virtual std::optional<H5Array> Own(const std::vector<std::string>& roles,
                                     const std::string& role) = 0;
  // Variable `role` (k, b, i, f) of quantizer `which` (iq, kq, bq).
  virtual H5Array Quantizer(const std::string& which, const std::vector<std::string>& roles,
                            const std::string& role) = 0;
  virtual std::string Where(const std::string& which) const = 0;
  virtual std::string Group() const = 0;  // the layer's own variables
};

// .keras: layers/<snake_case class>[_n] of model.weights.h5.
std::unique_ptr<Variables> KerasLayerVariables(const H5File& file, const std::string& group);
// Legacy .h5: model_weights/<layer name> and its weight_names.
std::unique_ptr<Variables> LegacyLayerVariables(const H5File& file, const std::string& layer);

struct QuantizerConfig {
  bool kbi = true;
  unrolled::Overflow overflow = unrolled::Overflow::kWrap;
};

// The quantizer config a layer's get_config holds under `key` (kq_conf, iq_conf, bq_conf).
QuantizerConfig ParseQuantizer(const json& layer_config, const std::string& key,
                               const std::string& file, const std::string& where);
// Quantizer `which` of a layer, its widths broadcast to `shape`.
HgqQuantizer ReadQuantizer(Variables& vars, const std::string& which, const QuantizerConfig& cfg,
                           const std::vector<std::int64_t>& shape, const std::string& file);
// A float dataset of exactly `shape`.
std::vector<float> Floats(const H5Array& a, const std::vector<std::int64_t>& shape,
                          const std::string& file, const std::string& where);
std::string ShapeText(const std::vector<std::int64_t>& s);

}  // namespace msqx::io::hgq

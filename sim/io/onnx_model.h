#pragma once
// The ONNX importer's stages (onnx_import.h): load (onnx_load.cpp) reads the model's structure and
// notes where each tensor's bytes are without reading the large ones; clean-up (onnx_cleanup.cpp,
// onnx_fold.cpp) folds constants and removes what is not a layer; map (onnx_map.cpp) turns the
// remaining nodes into msqx layers and weight plans; write (onnx_write.cpp) streams the weights
// out of the model's files, one row at a time. Only built with libonnx (MSQX_HAVE_ONNX).

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "sim/io/onnx_import.h"

namespace msqx::io::onnx_in {

// An integer held in a double (a folded shape, an axis, a pad) as int64, saturated at +-2^62 so
// that no value from a hostile file overflows what is computed from it; NaN is 0.
inline std::int64_t ToInt(double x) {
  if (!(x == x)) return 0;
  return static_cast<std::int64_t>(x < -4.6e18 ? -4.6e18 : x > 4.6e18 ? 4.6e18 : x);
}

// Tensors up to this many bytes are kept in memory while loading; larger ones are read from the
// file when they are written.
inline constexpr std::int64_t kInlineBytes = 4096;
// Constant folding works on tensors of at most this many values (shape arithmetic, per-channel
// parameters), never on weights.
inline constexpr std::int64_t kFoldLimit = 1 << 16;

// Bytes per element of an ONNX data type that msqx reads; 0 for any other type.
int ElementBytes(int data_type);
bool IsReal(int data_type);  // float, double, float16, bfloat16: usable as weights

// Where an initializer's (or a Constant node's) values are.
struct TensorData {
  std::string name;
  std::string where;  // the path in the model that names it, e.g. "$.graph.initializer[3]"
  int type = 0;       // onnx::TensorProto::DataType
  std::vector<std::int64_t> dims;
  std::int64_t count = 1;
  enum class Source { kNone, kFile, kProto } source = Source::kNone;
  std::string file;  // kFile: the model itself or an external data file (validated)
  std::int64_t offset = 0;
  const onnx::TensorProto* proto = nullptr;  // kProto: raw_data or a typed list in memory
};

// A small tensor's values (folded shape arithmetic, per-channel parameters).
struct Values {
  int type = onnx::TensorProto::FLOAT;
  std::vector<std::int64_t> dims;
  std::vector<double> v;
  std::int64_t Count() const;
};

struct Model {
  std::string path;
  bool weights = true;     // false: the structure only; initializers may have no data
  onnx::ModelProto proto;  // large tensors' bytes left in their files
  std::int64_t opset = 0;  // of the default domain
  std::map<std::string, TensorData> tensors;  // initializers and Constant nodes' tensors

  [[noreturn]] void Fail(const std::string& where, const std::string& message) const;
  // Values [first, first + n) in row-major order, converted to double; a tensor without data is
  // an error naming it (the model was saved without weights).
  void Read(const TensorData& t, std::int64_t first, std::int64_t n, double* out) const;
  Values ReadAll(const TensorData& t) const;  // at most kFoldLimit values

 private:
  struct Files;
  mutable std::shared_ptr<Files> files_;  // open external data files, by path
};

// Reads the model: its structure (large tensors' bytes skipped), external data references
// validated (inside the model's folder, within their files). spec::ConfigError on any defect.
std::shared_ptr<Model> LoadModel(const std::string& path, bool weights);

// A node of the cleaned graph: the ONNX node with its inputs resolved through removed nodes, and
// what clean-up fused into it.
struct Node {
  const onnx::NodeProto* proto = nullptr;  // nullptr for a node clean-up made
  int index = 0;                           // of the ONNX node, for messages
  std::string op;  // the ONNX op, or msqx's "Silu", "GlobalPool" (a reduction over H and W)
  std::string name;
  std::vector<std::string> inputs, outputs;
  std::vector<std::int64_t> extra_pads;  // [top, left, bottom, right] of a folded Pad
  bool keep_dims = true;                 // GlobalPool: false leaves [N, C]
  bool max = false;                      // GlobalPool: max rather than mean
};

// A constant after clean-up: an initializer, a Constant node or a folded expression. Large ones
// keep their data where it is (`data`), small ones are read (`values`).
struct Constant {
  const TensorData* data = nullptr;
  std::shared_ptr<const Values> values;
  bool transposed = false;  // a 2-D Transpose of `data`, applied when read
  std::vector<std::int64_t> Dims() const;
  int Type() const;
};

struct Graph {
  std::string input;                     // the network input's tensor name
  std::vector<std::int64_t> input_dims;  // declared, batch fixed to 1
  std::vector<Node> nodes;               // what is left, in order
  std::map<std::string, Constant> constants;
  std::map<std::string, std::vector<std::int64_t>> shapes;  // inferred, batch 1
  std::vector<std::string> outputs;                         // resolved through removed nodes
  std::vector<std::string> notes;
  // The small values of a constant (read or folded), or nullptr when it is too large.
  const Values* ValuesOf(const Model& m, const std::string& name) const;
  mutable std::map<std::string, std::shared_ptr<const Values>> read_;
};

Graph CleanUp(const Model& model);

// Evaluates one node of constant shape arithmetic on small values (onnx_fold.cpp). Returns false
// when the op is not one it folds; throws std::invalid_argument for inputs the op rejects.
bool Fold(const std::string& op, const onnx::NodeProto& node, std::int64_t opset,
          const std::vector<const Values*>& inputs, std::vector<Values>& outputs);

struct Mapped {
  nlohmann::json network;
  std::vector<ImportedWeights> weights;
  std::vector<std::string> notes;
  // Per ONNX activation tensor: the msqx layer (or "input") whose output it is, and its layout
  // as ONNX sees it: "nchw", "nhwc" or "flat".
  std::map<std::string, std::pair<std::string, std::string>> values;
};

Mapped MapGraph(const std::shared_ptr<Model>& model, const Graph& graph,
                const OnnxImportOptions& options);

}  // namespace msqx::io::onnx_in

namespace msqx::io {

// How a layer's weights come out of the model (onnx_write.cpp reads and transforms them).
struct WeightPlan {
  std::shared_ptr<const onnx_in::Model> model;
  onnx_in::Constant source;  // as the graph computes with it
  bool transpose = false;    // written = source^T (a MatMul's or Gemm's [in, out] matrix)
  double alpha = 1.0;
  std::vector<double> row_scale;      // per output channel (folded batch norm); empty: all 1
  std::vector<std::int64_t> columns;  // fc: written column j is stored column columns[j]
};

}  // namespace msqx::io

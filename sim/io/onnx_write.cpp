// Write stage of the ONNX import: network.json, and each layer's weights streamed out of the
// model's files one output channel at a time (the layout msqx stores, batch norm and Gemm's alpha
// applied, an NHWC flatten's columns reordered), so that a 553 MB VGG-16 is written without
// holding more than a row of it (a MatMul's transposed matrix is the exception: read whole).
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "models/spec/config_error.h"
#include "sim/io/onnx_import.h"
#include "sim/report/file_io.h"

#ifdef MSQX_HAVE_ONNX
#include "sim/io/onnx_model.h"
#endif

namespace msqx::io {
namespace fs = std::filesystem;

namespace {

#ifdef MSQX_HAVE_ONNX
// Rows of a layer's written weights: row o is output channel o.
class RowReader {
 public:
  explicit RowReader(const ImportedWeights& w) : w_(w), plan_(*w.plan) {
    rows_ = w.shape.at(0);
    row_len_ = 1;
    for (std::size_t i = 1; i < w.shape.size(); ++i) row_len_ *= w.shape[i];
    const onnx_in::Constant& c = plan_.source;
    flip_ = c.transposed != plan_.transpose;
    if (c.values) {
      whole_ = c.values->v;
    } else if (flip_) {
      whole_.resize(static_cast<std::size_t>(c.data->count));  // transposed: read at once
      plan_.model->Read(*c.data, 0, c.data->count, whole_.data());
    }
    stored_.resize(static_cast<std::size_t>(row_len_));
  }

  void Row(std::int64_t o, double* out) {
    const onnx_in::Constant& c = plan_.source;
    const double* src;
    if (flip_) {  // stored [in, out]: column o
      for (std::int64_t j = 0; j < row_len_; ++j) stored_[j] = whole_[j * rows_ + o];
      src = stored_.data();
    } else if (!whole_.empty()) {
      src = whole_.data() + o * row_len_;
    } else {
      plan_.model->Read(*c.data, o * row_len_, row_len_, stored_.data());
      src = stored_.data();
    }
    const double scale = plan_.alpha * (plan_.row_scale.empty() ? 1.0 : plan_.row_scale[o]);
    for (std::int64_t j = 0; j < row_len_; ++j) {
      const double v = (plan_.columns.empty() ? src[j] : src[plan_.columns[j]]) * scale;
      if (!std::isfinite(v)) {
        const std::string& name = c.data ? c.data->name : "a folded constant";
        plan_.model->Fail(c.data ? c.data->where : "$", "weights '" + name + "' of layer '" +
                                                            w_.layer + "' hold a non-finite value");
      }
      out[j] = v;
    }
  }

  std::int64_t rows() const { return rows_; }
  std::int64_t row_len() const { return row_len_; }

 private:
  const ImportedWeights& w_;
  const WeightPlan& plan_;
  std::int64_t rows_ = 0, row_len_ = 0;
  bool flip_ = false;
  std::vector<double> whole_, stored_;
};
#endif

void AppendValue(std::string& out, NpyType type, double v) {
  if (type == NpyType::kFloat32) {
    const float f = static_cast<float>(v);
    char b[4];
    std::memcpy(b, &f, 4);  // x86-64 and ARM are little-endian, as .npy "<f4" is
    out.append(b, 4);
  } else {
    char b[8];
    std::memcpy(b, &v, 8);
    out.append(b, 8);
  }
}

void WriteStreamed(const fs::path& path, const ImportedWeights& w) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw spec::ConfigError(path.string(), "$", "cannot create the file");
  out << NpyHeader(w.type, w.shape);
#ifdef MSQX_HAVE_ONNX
  RowReader rows(w);
  std::vector<double> row(static_cast<std::size_t>(rows.row_len()));
  std::string bytes;
  for (std::int64_t o = 0; o < rows.rows(); ++o) {
    rows.Row(o, row.data());
    bytes.clear();
    for (double v : row) AppendValue(bytes, w.type, v);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
#endif
  out.flush();
  if (!out) throw report::IoError(path.string(), "write", errno);
}

// Into `dir` (an output folder's work folder, which the command publishes whole): weights/, its
// bias/ and network.json, every write checked (report::IoError names the file).
void WriteTree(const OnnxImport& import, const fs::path& dir) {
  report::MakeDirectories(dir);
  if (import.with_weights) {
    report::MakeDirectories(dir / "weights");
    for (const ImportedWeights& w : import.weights) {
      WriteStreamed(dir / "weights" / (w.layer + ".npy"), w);
      if (w.bias.empty()) continue;
      report::MakeDirectories(dir / "weights" / "bias");
      WriteNpy((dir / "weights" / "bias" / (w.layer + ".npy")).string(),
               {w.type, {static_cast<std::int64_t>(w.bias.size())}, w.bias});
    }
  }
  report::WriteFile(dir / "network.json", import.network.dump(2) + "\n");
}

}  // namespace

NpyArray ImportedWeights::Materialize() const {
  NpyArray a{type, shape, {}};
#ifdef MSQX_HAVE_ONNX
  if (!plan) throw std::logic_error("weights of '" + layer + "' were not imported");
  RowReader rows(*this);
  a.values.resize(static_cast<std::size_t>(rows.rows() * rows.row_len()));
  for (std::int64_t o = 0; o < rows.rows(); ++o) rows.Row(o, a.values.data() + o * rows.row_len());
#endif
  return a;
}

void WriteImport(const OnnxImport& import, const std::string& out_dir) {
  WriteTree(import, fs::path(out_dir));
}

}  // namespace msqx::io

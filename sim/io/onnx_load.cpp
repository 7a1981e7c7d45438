// Load stage of the ONNX import: the model's structure without the bytes of its large tensors.
// A 553 MB VGG-16 is mostly the raw_data of 32 initializers; the loader walks the protobuf wire
// format itself, parses everything else with protobuf, and for each large raw_data notes its
// offset in the file (as for external data), so that import memory stays at the size of the
// graph plus one layer's rows (docs/performance.md).
#ifdef MSQX_HAVE_ONNX

#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "models/spec/config_error.h"
#include "sim/io/onnx_model.h"

namespace msqx::io::onnx_in {
namespace fs = std::filesystem;
using google::protobuf::io::CodedInputStream;

namespace {

constexpr int kGraphField = 7;        // ModelProto.graph
constexpr int kInitializerField = 5;  // GraphProto.initializer
constexpr int kRawDataField = 9;      // TensorProto.raw_data
constexpr int kLengthDelimited = 2;

void AppendVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// One field's bytes, copied as they are, so that protobuf parses what the loader does not handle.
bool CopyField(CodedInputStream& in, std::uint32_t tag, std::string& out) {
  AppendVarint(out, tag);
  switch (tag & 7) {
    case 0: {
      std::uint64_t v;
      if (!in.ReadVarint64(&v)) return false;
      AppendVarint(out, v);
      return true;
    }
    case 1: {
      std::uint64_t v;
      if (!in.ReadLittleEndian64(&v)) return false;
      for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
      return true;
    }
    case kLengthDelimited: {
      std::uint32_t length;
      if (!in.ReadVarint32(&length) || length > static_cast<std::uint32_t>(in.BytesUntilLimit())) {
        return false;
      }
      AppendVarint(out, length);
      std::string bytes;
      if (!in.ReadString(&bytes, static_cast<int>(length))) return false;
      out += bytes;
      return true;
    }
    case 5: {
      std::uint32_t v;
      if (!in.ReadLittleEndian32(&v)) return false;
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
      return true;
    }
    default:
      return false;  // groups are not used by ONNX
  }
}

// Where a large raw_data lies in the model file.
struct FileSpan {
  std::int64_t offset = -1, length = 0;
};

class Reader {
 public:
  Reader(const Model& model, CodedInputStream& in) : model_(model), in_(in) {}

  void ParseModel(onnx::ModelProto& m, std::vector<FileSpan>& spans) {
    std::string rest;
    onnx::GraphProto graph;
    bool has_graph = false;
    for (std::uint32_t tag; (tag = in_.ReadTag()) != 0;) {
      if (tag >> 3 == kGraphField && (tag & 7) == kLengthDelimited) {
        const auto limit = Open();
        ParseGraph(graph, spans);
        Close(limit);
        has_graph = true;
      } else if (!CopyField(in_, tag, rest)) {
        Corrupt();
      }
    }
    if (!in_.ConsumedEntireMessage() || !m.ParseFromString(rest)) Corrupt();
    if (!has_graph) model_.Fail("$", "the model has no graph");
    m.mutable_graph()->Swap(&graph);
  }

 private:
  [[noreturn]] void Corrupt() const {
    model_.Fail("$", "not a valid ONNX model (protobuf parsing failed)");
  }
  CodedInputStream::Limit Open() {
    std::uint32_t length;
    if (!in_.ReadVarint32(&length) || length > static_cast<std::uint32_t>(in_.BytesUntilLimit())) {
      Corrupt();
    }
    return in_.PushLimit(static_cast<int>(length));
  }
  void Close(CodedInputStream::Limit limit) {
    if (in_.BytesUntilLimit() != 0) Corrupt();
    in_.PopLimit(limit);
  }

  void ParseGraph(onnx::GraphProto& g, std::vector<FileSpan>& spans) {
    std::string rest;
    std::vector<std::pair<onnx::TensorProto, FileSpan>> initializers;
    for (std::uint32_t tag; (tag = in_.ReadTag()) != 0;) {
      if (tag >> 3 == kInitializerField && (tag & 7) == kLengthDelimited) {
        const auto limit = Open();
        initializers.emplace_back();
        ParseTensor(initializers.back().first, initializers.back().second);
        Close(limit);
      } else if (!CopyField(in_, tag, rest)) {
        Corrupt();
      }
    }
    if (!g.ParseFromString(rest)) Corrupt();
    for (auto& [t, span] : initializers) {
      g.add_initializer()->Swap(&t);
      spans.push_back(span);
    }
  }

  // A tensor whose raw_data stays in the file when it is large.
  void ParseTensor(onnx::TensorProto& t, FileSpan& span) {
    std::string rest;
    for (std::uint32_t tag; (tag = in_.ReadTag()) != 0;) {
      if (tag >> 3 == kRawDataField && (tag & 7) == kLengthDelimited) {
        std::uint32_t length;
        if (!in_.ReadVarint32(&length) ||
            length > static_cast<std::uint32_t>(in_.BytesUntilLimit())) {
          Corrupt();
        }
        if (length <= kInlineBytes) {
          std::string bytes;
          if (!in_.ReadString(&bytes, static_cast<int>(length))) Corrupt();
          AppendVarint(rest, tag);
          AppendVarint(rest, length);
          rest += bytes;
        } else {
          span = {in_.CurrentPosition(), length};
          if (!in_.Skip(static_cast<int>(length))) Corrupt();
        }
      } else if (!CopyField(in_, tag, rest)) {
        Corrupt();
      }
    }
    if (!t.ParseFromString(rest)) Corrupt();
  }

  const Model& model_;
  CodedInputStream& in_;
};

// An unsigned decimal, as external_data writes offsets and lengths.
bool ParseCount(const std::string& s, std::int64_t* v) {
  if (s.empty() || s.size() > 18) return false;
  *v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    *v = *v * 10 + (c - '0');
  }
  return true;
}

class TensorTable {
 public:
  TensorTable(Model& m) : m_(m), dir_(fs::path(m.path).parent_path()) {
    if (dir_.empty()) dir_ = ".";
  }

  void Add(const onnx::TensorProto& t, const std::string& where, const FileSpan& span) {
    TensorData d;
    d.name = t.name();
    d.where = where;
    d.type = t.data_type();
    for (std::int64_t x : t.dims()) {
      if (x < 0 || (x > 0 && d.count > (std::int64_t{1} << 40) / x)) {
        m_.Fail(where, "tensor '" + t.name() + "' has a negative or too large dimension");
      }
      d.dims.push_back(x);
      d.count *= x;
    }
    const std::int64_t bytes = d.count * ElementBytes(d.type);
    const auto wrong_size = [&](std::int64_t have) {
      m_.Fail(where, "tensor '" + t.name() + "' has " + std::to_string(have) +
                         " bytes of data, expected " + std::to_string(bytes) + " (" +
                         std::to_string(d.count) + " values)");
    };
    if (t.data_location() == onnx::TensorProto::EXTERNAL) {
      External(t, where, d);
      if (ElementBytes(d.type) == 0) return;  // kept without values; an error only if read
    } else if (span.offset >= 0) {
      d.source = TensorData::Source::kFile;
      d.file = m_.path;
      d.offset = span.offset;
      if (ElementBytes(d.type) != 0 && span.length != bytes) wrong_size(span.length);
    } else if (!t.raw_data().empty()) {
      d.source = TensorData::Source::kProto;
      d.proto = &t;
      if (ElementBytes(d.type) != 0 && static_cast<std::int64_t>(t.raw_data().size()) != bytes) {
        wrong_size(static_cast<std::int64_t>(t.raw_data().size()));
      }
    } else {
      const std::int64_t listed =
          t.float_data_size() + t.double_data_size() + t.int64_data_size() + t.int32_data_size();
      if (listed > 0 || d.count == 0) {
        d.source = TensorData::Source::kProto;
        d.proto = &t;
        if (ElementBytes(d.type) != 0 && listed != d.count) {
          m_.Fail(where, "tensor '" + t.name() + "' has " + std::to_string(listed) +
                             " values, expected " + std::to_string(d.count));
        }
      }
    }
    m_.tensors[d.name] = std::move(d);
  }

 private:
  // external_data: location (relative to the model's folder, inside it), offset, length.
  void External(const onnx::TensorProto& t, const std::string& where, TensorData& d) {
    std::string location;
    std::int64_t offset = 0, length = -1;
    for (const auto& kv : t.external_data()) {
      const std::string& key = kv.key();
      if (key == "location") {
        location = kv.value();
      } else if ((key == "offset" && !ParseCount(kv.value(), &offset)) ||
                 (key == "length" && !ParseCount(kv.value(), &length))) {
        m_.Fail(where, "tensor '" + t.name() + "': external data " + key + " '" + kv.value() +
                           "' is not a byte count");
      }
    }
    const std::string what = "tensor '" + t.name() + "': external data location '" + location + "'";
    if (location.empty())
      m_.Fail(where, "tensor '" + t.name() + "': external data has no location");
    const fs::path rel(location);
    if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory() ||
        location.find('\0') != std::string::npos) {
      m_.Fail(where, what + " is absolute; expected a path relative to the model's folder");
    }
    for (const fs::path& part : rel) {
      if (part == "..") m_.Fail(where, what + " leaves the model's folder ('..')");
    }
    const fs::path file = dir_ / rel;
    std::error_code ec;
    const fs::path real = fs::canonical(file, ec);
    if (ec || !fs::is_regular_file(real, ec)) {
      m_.Fail(where, what + ": no such file beside the model (" + file.string() + ")");
    }
    const fs::path real_dir = fs::canonical(dir_, ec);
    const auto mismatch = std::mismatch(real_dir.begin(), real_dir.end(), real.begin(), real.end());
    if (ec || mismatch.first != real_dir.end()) {
      m_.Fail(where, what + " resolves to " + real.string() +
                         " (a link out of the model's folder " + real_dir.string() + ")");
    }
    const std::int64_t size = static_cast<std::int64_t>(fs::file_size(real, ec));
    const std::int64_t bytes = d.count * ElementBytes(d.type);
    if (length >= 0 && ElementBytes(d.type) != 0 && length != bytes) {
      m_.Fail(where, what + ": length " + std::to_string(length) + " bytes, expected " +
                         std::to_string(bytes) + " (" + std::to_string(d.count) + " values)");
    }
    const std::int64_t need = length >= 0 ? length : bytes;
    if (ec || offset > size || need > size - offset) {
      m_.Fail(where, what + ": bytes " + std::to_string(offset) + " to " +
                         std::to_string(offset + need) + " lie past the end of the file (" +
                         std::to_string(size) + " bytes)");
    }
    d.source = TensorData::Source::kFile;
    d.file = real.string();
    d.offset = offset;
  }

  Model& m_;
  fs::path dir_;
};

std::int64_t DefaultOpset(const onnx::ModelProto& m) {
  for (const auto& o : m.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  }
  return 0;
}

}  // namespace

std::shared_ptr<Model> LoadModel(const std::string& path, bool weights) {
  auto model = std::make_shared<Model>();
  model->path = path;
  model->weights = weights;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) model->Fail("$", "cannot open the file (not a regular file)");
  const auto size = fs::file_size(path, ec);
  if (ec) model->Fail("$", "cannot open the file");
  if (size >= static_cast<std::uintmax_t>(std::numeric_limits<int>::max())) {
    model->Fail("$",
                "the file is larger than protobuf's 2 GB limit; save the weights as external "
                "data (onnx.save_model(..., save_as_external_data=True))");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) model->Fail("$", "cannot open the file");
  std::vector<FileSpan> spans;
  {
    google::protobuf::io::FileInputStream file(fd);
    file.SetCloseOnDelete(true);
    CodedInputStream in(&file);
    in.SetTotalBytesLimit(std::numeric_limits<int>::max());
    Reader(*model, in).ParseModel(model->proto, spans);
  }
  model->opset = DefaultOpset(model->proto);
  TensorTable table(*model);
  const onnx::GraphProto& g = model->proto.graph();
  for (int i = 0; i < g.initializer_size(); ++i) {
    table.Add(g.initializer(i), "$.graph.initializer[" + std::to_string(i) + "]", spans[i]);
  }
  // A Constant node's tensor: named after the node's output, which is how the graph refers to it.
  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto* n = model->proto.mutable_graph()->mutable_node(i);
    if (n->op_type() != "Constant" || n->output_size() != 1) continue;
    for (auto& a : *n->mutable_attribute()) {
      if (a.name() == "value" && a.has_t()) {
        a.mutable_t()->set_name(n->output(0));
        table.Add(a.t(), "$.graph.node[" + std::to_string(i) + "]", {});
      }
    }
  }
  return model;
}

}  // namespace msqx::io::onnx_in

#endif  // MSQX_HAVE_ONNX

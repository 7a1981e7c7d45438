// Reading tensor values wherever load left them: in the model's protobuf (small tensors, typed
// lists), in the model file at an offset, or in an external data file (validated by load).
#ifdef MSQX_HAVE_ONNX

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "models/spec/config_error.h"
#include "sim/io/onnx_model.h"

namespace msqx::io::onnx_in {

using T = onnx::TensorProto;

int ElementBytes(int type) {
  switch (type) {
    case T::FLOAT:
    case T::INT32:
    case T::UINT32:
      return 4;
    case T::DOUBLE:
    case T::INT64:
    case T::UINT64:
      return 8;
    case T::FLOAT16:
    case T::BFLOAT16:
    case T::INT16:
    case T::UINT16:
      return 2;
    case T::INT8:
    case T::UINT8:
    case T::BOOL:
      return 1;
    default:
      return 0;
  }
}

bool IsReal(int type) {
  return type == T::FLOAT || type == T::DOUBLE || type == T::FLOAT16 || type == T::BFLOAT16;
}

std::int64_t Values::Count() const {
  std::int64_t n = 1;
  for (std::int64_t d : dims) n *= d;
  return n;
}

std::vector<std::int64_t> Constant::Dims() const {
  std::vector<std::int64_t> d = values ? values->dims : data->dims;
  if (transposed && d.size() == 2) std::swap(d[0], d[1]);
  return d;
}

int Constant::Type() const { return values ? values->type : data->type; }

void Model::Fail(const std::string& where, const std::string& message) const {
  throw spec::ConfigError(path, where, message);
}

namespace {

float HalfToFloat(std::uint16_t h) {
  const std::uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

// One little-endian element of `type` at `p`.
double Decode(int type, const unsigned char* p) {
  std::uint64_t raw = 0;
  const int n = ElementBytes(type);
  for (int i = 0; i < n; ++i) raw |= std::uint64_t{p[i]} << (8 * i);
  switch (type) {
    case T::FLOAT: {
      float f;
      const std::uint32_t r = static_cast<std::uint32_t>(raw);
      std::memcpy(&f, &r, 4);
      return f;
    }
    case T::DOUBLE: {
      double d;
      std::memcpy(&d, &raw, 8);
      return d;
    }
    case T::FLOAT16:
      return HalfToFloat(static_cast<std::uint16_t>(raw));
    case T::BFLOAT16: {
      float f;
      const std::uint32_t r = static_cast<std::uint32_t>(raw) << 16;
      std::memcpy(&f, &r, 4);
      return f;
    }
    case T::INT8:
      return static_cast<std::int8_t>(raw);
    case T::INT16:
      return static_cast<std::int16_t>(raw);
    case T::INT32:
      return static_cast<std::int32_t>(raw);
    case T::INT64:
      return static_cast<double>(static_cast<std::int64_t>(raw));
    default:  // unsigned and bool
      return static_cast<double>(raw);
  }
}

// A typed list's element i (the lists ONNX uses when raw_data is empty).
double Listed(const onnx::TensorProto& t, std::int64_t i) {
  const int k = static_cast<int>(i);
  switch (t.data_type()) {
    case T::FLOAT:
      return t.float_data(k);
    case T::DOUBLE:
      return t.double_data(k);
    case T::INT64:
      return static_cast<double>(t.int64_data(k));
    case T::UINT32:
    case T::UINT64:
      return static_cast<double>(t.uint64_data(k));
    case T::FLOAT16: {
      return HalfToFloat(static_cast<std::uint16_t>(t.int32_data(k)));
    }
    case T::BFLOAT16: {
      const std::uint32_t r = static_cast<std::uint32_t>(t.int32_data(k)) << 16;
      float f;
      std::memcpy(&f, &r, 4);
      return f;
    }
    default:
      return t.int32_data(k);
  }
}

}  // namespace

struct Model::Files {
  std::map<std::string, int> fds;
  ~Files() {
    for (auto& [path, fd] : fds) ::close(fd);
  }
};

void Model::Read(const TensorData& t, std::int64_t first, std::int64_t n, double* out) const {
  const int bytes = ElementBytes(t.type);
  if (bytes == 0) {
    Fail(t.where, "tensor '" + t.name + "' has data type " + std::to_string(t.type) +
                      ", which msqx does not read (float, double, float16, bfloat16 or integers)");
  }
  if (first < 0 || n < 0 || first + n > t.count) {
    Fail(t.where, "tensor '" + t.name + "': values " + std::to_string(first) + " to " +
                      std::to_string(first + n) + " asked of " + std::to_string(t.count));
  }
  switch (t.source) {
    case TensorData::Source::kNone:
      Fail(t.where, "tensor '" + t.name +
                        "' has no data (a model saved without weights: import "
                        "it with --no-weights for its structure)");
    case TensorData::Source::kProto: {
      const std::string& raw = t.proto->raw_data();
      for (std::int64_t i = 0; i < n; ++i) {
        out[i] = raw.empty() ? Listed(*t.proto, first + i)
                             : Decode(t.type, reinterpret_cast<const unsigned char*>(raw.data()) +
                                                  (first + i) * bytes);
      }
      return;
    }
    case TensorData::Source::kFile: {
      if (!files_) files_ = std::make_shared<Files>();
      auto it = files_->fds.find(t.file);
      if (it == files_->fds.end()) {
        const int fd = ::open(t.file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) Fail(t.where, "tensor '" + t.name + "': cannot open " + t.file);
        it = files_->fds.emplace(t.file, fd).first;
      }
      constexpr std::int64_t kChunk = 1 << 16;  // values per read
      std::vector<unsigned char> buf(static_cast<std::size_t>(std::min(n, kChunk) * bytes));
      for (std::int64_t done = 0; done < n;) {
        const std::int64_t take = std::min(kChunk, n - done);
        const std::int64_t want = take * bytes;
        std::int64_t got = 0;
        while (got < want) {
          const ssize_t r =
              ::pread(it->second, buf.data() + got, static_cast<std::size_t>(want - got),
                      static_cast<off_t>(t.offset + (first + done) * bytes + got));
          if (r <= 0) {
            Fail(t.where, "tensor '" + t.name + "': " + t.file + " ends before its data does");
          }
          got += r;
        }
        for (std::int64_t i = 0; i < take; ++i)
          out[done + i] = Decode(t.type, buf.data() + i * bytes);
        done += take;
      }
      return;
    }
  }
}

Values Model::ReadAll(const TensorData& t) const {
  if (t.count > kFoldLimit) {
    Fail(t.where, "tensor '" + t.name + "' has " + std::to_string(t.count) +
                      " values; msqx reads at most " + std::to_string(kFoldLimit) + " here");
  }
  Values v;
  v.type = t.type;
  v.dims = t.dims;
  v.v.resize(static_cast<std::size_t>(t.count));
  Read(t, 0, t.count, v.v.data());
  return v;
}

const Values* Graph::ValuesOf(const Model& m, const std::string& name) const {
  auto it = constants.find(name);
  if (it == constants.end()) return nullptr;
  const Constant& c = it->second;
  if (c.values) return c.values.get();
  if (c.transposed || c.data->count > kFoldLimit) return nullptr;
  auto& cached = read_[name];
  if (!cached) cached = std::make_shared<Values>(m.ReadAll(*c.data));
  return cached.get();
}

}  // namespace msqx::io::onnx_in

#endif  // MSQX_HAVE_ONNX

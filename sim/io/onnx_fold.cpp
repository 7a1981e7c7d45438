// Constant folding of the shape arithmetic exporters write: PyTorch's x.view(x.size(0), -1) is
// Shape, Gather, Unsqueeze, Concat and Reshape; its ZeroPad2d builds the pads from
// ConstantOfShape, Slice, Transpose and Cast; tf2onnx's Flatten computes its shape the same way.
// Each op here works on small tensors of doubles with ONNX's semantics (numpy broadcasting,
// negative axes and indices, Slice's clamping), as onnx-simplifier folds them.
#ifdef MSQX_HAVE_ONNX

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "sim/io/onnx_model.h"

namespace msqx::io::onnx_in {
namespace {

using T = onnx::TensorProto;
using Dims = std::vector<std::int64_t>;

[[noreturn]] void Bad(const std::string& why) { throw std::invalid_argument(why); }

const onnx::AttributeProto* Attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}
std::int64_t IntAttr(const onnx::NodeProto& n, const char* name, std::int64_t fallback) {
  const auto* a = Attr(n, name);
  return a ? a->i() : fallback;
}
bool IntsAttr(const onnx::NodeProto& n, const char* name, Dims* out) {
  const auto* a = Attr(n, name);
  if (!a) return false;
  out->assign(a->ints().begin(), a->ints().end());
  return true;
}

bool IsInteger(int type) { return !IsReal(type); }

std::int64_t Count(const Dims& d) {
  std::int64_t n = 1;
  for (std::int64_t x : d) {
    if (x < 0 || (x > 0 && n > kFoldLimit / x)) Bad("a result of more than 65536 values");
    n *= x;
  }
  return n;
}

Values Make(int type, Dims dims) {
  Values v;
  v.type = type;
  v.dims = std::move(dims);
  v.v.assign(static_cast<std::size_t>(Count(v.dims)), 0.0);
  return v;
}

std::int64_t Axis(std::int64_t axis, std::size_t rank) {
  const std::int64_t r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= std::max<std::int64_t>(r, 1)) Bad("axis out of range");
  return axis < 0 ? axis + r : axis;
}

Dims IntsOf(const Values* v) {
  Dims d;
  if (v) {
    for (double x : v->v) d.push_back(ToInt(x));
  }
  return d;
}

Dims Strides(const Dims& dims) {
  Dims s(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

// Numpy broadcasting of `inputs` elementwise through f.
Values Broadcast(const std::vector<const Values*>& in, int type,
                 const std::function<double(const std::vector<double>&)>& f) {
  std::size_t rank = 0;
  for (const Values* v : in) rank = std::max(rank, v->dims.size());
  Dims out(rank, 1);
  for (const Values* v : in) {
    for (std::size_t i = 0; i < v->dims.size(); ++i) {
      const std::int64_t d = v->dims[i];
      std::int64_t& o = out[rank - v->dims.size() + i];
      if (d != 1 && o != 1 && d != o) Bad("shapes do not broadcast");
      if (d != 1) o = d;
    }
  }
  Values r = Make(type, out);
  const Dims os = Strides(out);
  std::vector<double> args(in.size());
  for (std::int64_t i = 0; i < r.Count(); ++i) {
    for (std::size_t k = 0; k < in.size(); ++k) {
      const Values& v = *in[k];
      const Dims vs = Strides(v.dims);
      std::int64_t at = 0;
      for (std::size_t a = 0; a < v.dims.size(); ++a) {
        const std::size_t oa = rank - v.dims.size() + a;
        const std::int64_t idx = (i / os[oa]) % out[oa];
        at += (v.dims[a] == 1 ? 0 : idx) * vs[a];
      }
      args[k] = v.v[static_cast<std::size_t>(at)];
    }
    r.v[static_cast<std::size_t>(i)] = f(args);
  }
  return r;
}

double CastTo(int type, double x) {
  if (type == T::BOOL) return x != 0;
  if (IsInteger(type)) return std::trunc(x);
  if (type == T::FLOAT) return static_cast<float>(x);
  return x;
}

Values Reshape(const Values& in, Dims shape, bool allow_zero) {
  std::int64_t known = 1, infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allow_zero) {
      if (i >= in.dims.size()) Bad("Reshape copies a dimension the input does not have");
      shape[i] = in.dims[i];
    }
    if (shape[i] == -1) {
      if (infer >= 0) Bad("Reshape with two -1");
      infer = static_cast<std::int64_t>(i);
    } else if (shape[i] < 0 || shape[i] > kFoldLimit) {
      Bad("dimension " + std::to_string(shape[i]) + " out of range");
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || in.Count() % known != 0) Bad("Reshape cannot infer -1");
    shape[static_cast<std::size_t>(infer)] = in.Count() / known;
  }
  if (Count(shape) != in.Count()) Bad("Reshape changes the number of values");
  Values r = in;
  r.dims = shape;
  return r;
}

Values Transpose(const Values& in, Dims perm) {
  const std::size_t rank = in.dims.size();
  if (perm.empty()) {
    for (std::size_t i = rank; i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  }
  if (perm.size() != rank) Bad("Transpose perm of the wrong length");
  Dims out(rank);
  for (std::size_t i = 0; i < rank; ++i)
    out[i] = in.dims[static_cast<std::size_t>(Axis(perm[i], rank))];
  Values r = Make(in.type, out);
  const Dims is = Strides(in.dims), os = Strides(out);
  for (std::int64_t i = 0; i < r.Count(); ++i) {
    std::int64_t at = 0;
    for (std::size_t a = 0; a < rank; ++a)
      at += ((i / os[a]) % out[a]) * is[static_cast<std::size_t>(perm[a])];
    r.v[static_cast<std::size_t>(i)] = in.v[static_cast<std::size_t>(at)];
  }
  return r;
}

Values Slice(const Values& in, const Dims& starts, const Dims& ends, Dims axes, Dims steps) {
  const std::size_t rank = in.dims.size();
  if (axes.empty()) {
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    Bad("Slice's starts, ends, axes and steps differ in length");
  }
  Dims first(rank, 0), step(rank, 1), out = in.dims;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::size_t a = static_cast<std::size_t>(Axis(axes[k], rank));
    const std::int64_t d = in.dims[a], s = steps[k];
    if (s == 0) Bad("Slice step 0");
    std::int64_t b = starts[k] < 0 ? starts[k] + d : starts[k];
    std::int64_t e = ends[k] < 0 ? ends[k] + d : ends[k];
    if (s > 0) {
      b = std::clamp<std::int64_t>(b, 0, d);
      e = std::clamp<std::int64_t>(e, 0, d);
      out[a] = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = std::clamp<std::int64_t>(b, -1, d - 1);
      e = std::clamp<std::int64_t>(e, -1, d - 1);
      out[a] = b > e ? (b - e - s - 1) / -s : 0;
    }
    first[a] = b;
    step[a] = s;
  }
  Values r = Make(in.type, out);
  const Dims is = Strides(in.dims), os = Strides(out);
  for (std::int64_t i = 0; i < r.Count(); ++i) {
    std::int64_t at = 0;
    for (std::size_t a = 0; a < rank; ++a)
      at += (first[a] + ((i / os[a]) % out[a]) * step[a]) * is[a];
    r.v[static_cast<std::size_t>(i)] = in.v[static_cast<std::size_t>(at)];
  }
  return r;
}

Values Gather(const Values& data, const Values& idx, std::int64_t axis_attr) {
  const std::size_t axis = static_cast<std::size_t>(Axis(axis_attr, data.dims.size()));
  Dims out(data.dims.begin(), data.dims.begin() + static_cast<std::ptrdiff_t>(axis));
  out.insert(out.end(), idx.dims.begin(), idx.dims.end());
  out.insert(out.end(), data.dims.begin() + static_cast<std::ptrdiff_t>(axis) + 1, data.dims.end());
  Values r = Make(data.type, out);
  std::int64_t outer = 1, inner = 1;
  for (std::size_t a = 0; a < axis; ++a) outer *= data.dims[a];
  for (std::size_t a = axis + 1; a < data.dims.size(); ++a) inner *= data.dims[a];
  const std::int64_t d = data.dims[axis], n = idx.Count();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t k = 0; k < n; ++k) {
      std::int64_t j = ToInt(idx.v[static_cast<std::size_t>(k)]);
      if (j < 0) j += d;
      if (j < 0 || j >= d) Bad("Gather index out of range");
      for (std::int64_t i = 0; i < inner; ++i) {
        r.v[static_cast<std::size_t>((o * n + k) * inner + i)] =
            data.v[static_cast<std::size_t>((o * d + j) * inner + i)];
      }
    }
  }
  return r;
}

Values Concat(const std::vector<const Values*>& in, std::int64_t axis_attr) {
  if (in.empty()) Bad("Concat of nothing");
  const std::size_t rank = in[0]->dims.size();
  const std::size_t axis = static_cast<std::size_t>(Axis(axis_attr, rank));
  Dims out = in[0]->dims;
  out[axis] = 0;
  for (const Values* v : in) {
    if (v->dims.size() != rank) Bad("Concat of different ranks");
    for (std::size_t a = 0; a < rank; ++a) {
      if (a != axis && v->dims[a] != out[a]) Bad("Concat of different shapes");
    }
    out[axis] += v->dims[axis];
  }
  Values r = Make(in[0]->type, out);
  std::int64_t outer = 1, inner = 1;
  for (std::size_t a = 0; a < axis; ++a) outer *= out[a];
  for (std::size_t a = axis + 1; a < rank; ++a) inner *= out[a];
  std::size_t at = 0;
  for (std::int64_t o = 0; o < outer; ++o) {
    for (const Values* v : in) {
      const std::int64_t block = v->dims[axis] * inner;
      for (std::int64_t i = 0; i < block; ++i)
        r.v[at++] = v->v[static_cast<std::size_t>(o * block + i)];
    }
  }
  return r;
}

Dims Unsqueezed(const Dims& dims, Dims axes) {
  const std::size_t rank = dims.size() + axes.size();
  for (auto& a : axes) a = Axis(a, rank);
  std::sort(axes.begin(), axes.end());
  Dims out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < rank; ++i) {
    if (std::binary_search(axes.begin(), axes.end(), static_cast<std::int64_t>(i))) {
      out.push_back(1);
    } else {
      if (next >= dims.size()) Bad("Unsqueeze axes repeat");
      out.push_back(dims[next++]);
    }
  }
  return out;
}

Dims Squeezed(const Dims& dims, Dims axes) {
  for (auto& a : axes) a = Axis(a, dims.size());
  Dims out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const bool listed =
        std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(i)) != axes.end();
    if (listed && dims[i] != 1) Bad("Squeeze of a dimension that is not 1");
    if (!(listed || (axes.empty() && dims[i] == 1))) out.push_back(dims[i]);
  }
  return out;
}

// Axes of Unsqueeze, Squeeze: an attribute up to opset 12, an input from 13.
Dims AxesOf(const onnx::NodeProto& n, const std::vector<const Values*>& in, std::size_t input) {
  Dims axes;
  if (!IntsAttr(n, "axes", &axes) && in.size() > input) axes = IntsOf(in[input]);
  return axes;
}

double Binary(const std::string& op, int type, double a, double b) {
  if (op == "Add") return CastTo(type, a + b);
  if (op == "Sub") return CastTo(type, a - b);
  if (op == "Mul") return CastTo(type, a * b);
  if (op == "Div") {
    if (IsInteger(type) && b == 0) Bad("integer division by zero");
    return CastTo(type, a / b);  // integers truncate, as ONNX runtimes do
  }
  if (op == "Min") return std::min(a, b);
  if (op == "Max") return std::max(a, b);
  return a == b;  // Equal
}

// Shape [start, end) of a tensor's dims (opset 15's slice of the shape).
Values ShapeOp(const Dims& d, const onnx::NodeProto& n) {
  const std::int64_t r = static_cast<std::int64_t>(d.size());
  std::int64_t start = IntAttr(n, "start", 0), end = IntAttr(n, "end", r);
  start = std::clamp<std::int64_t>(start < 0 ? start + r : start, 0, r);
  end = std::clamp<std::int64_t>(end < 0 ? end + r : end, 0, r);
  Values v = Make(T::INT64, {std::max<std::int64_t>(0, end - start)});
  for (std::int64_t i = start; i < end; ++i) {
    v.v[static_cast<std::size_t>(i - start)] = static_cast<double>(d[static_cast<std::size_t>(i)]);
  }
  return v;
}

// ConstantOfShape's value: a one-element tensor (float 0 when absent).
Values Filled(const Dims& dims, const onnx::NodeProto& n) {
  Values r = Make(T::FLOAT, dims);
  const auto* a = Attr(n, "value");
  if (!a || !a->has_t()) return r;
  const onnx::TensorProto& t = a->t();
  r.type = t.data_type();
  double fill = 0;
  const int bytes = ElementBytes(t.data_type());
  if (!t.raw_data().empty() && bytes > 0 && static_cast<int>(t.raw_data().size()) >= bytes) {
    std::uint64_t raw = 0;  // little-endian
    for (int i = 0; i < bytes; ++i) {
      raw |= std::uint64_t{static_cast<unsigned char>(t.raw_data()[static_cast<std::size_t>(i)])}
             << (8 * i);
    }
    if (t.data_type() == T::FLOAT) {
      float f;
      const std::uint32_t r32 = static_cast<std::uint32_t>(raw);
      std::memcpy(&f, &r32, 4);
      fill = f;
    } else if (t.data_type() == T::DOUBLE) {
      std::memcpy(&fill, &raw, 8);
    } else {
      fill = static_cast<double>(static_cast<std::int64_t>(raw));
    }
  } else if (t.float_data_size() > 0) {
    fill = t.float_data(0);
  } else if (t.int64_data_size() > 0) {
    fill = static_cast<double>(t.int64_data(0));
  } else if (t.int32_data_size() > 0) {
    fill = t.int32_data(0);
  }
  std::fill(r.v.begin(), r.v.end(), fill);
  return r;
}

Values RangeOp(const Values& start, const Values& limit, const Values& delta) {
  const double s = start.v.at(0), l = limit.v.at(0), d = delta.v.at(0);
  if (d == 0) Bad("Range with delta 0");
  const double steps = std::ceil((l - s) / d);
  if (!(steps <= static_cast<double>(kFoldLimit))) Bad("a Range of more than 65536 values");
  Values r = Make(start.type, {std::max<std::int64_t>(0, static_cast<std::int64_t>(steps))});
  for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] = s + static_cast<double>(i) * d;
  return r;
}

using Need = std::function<const Values&(std::size_t)>;

// Ops that move or reshape values: Identity, Shape, Size, Gather, (Un)Squeeze, Concat,
// Reshape, Flatten, Slice, Transpose.
bool FoldLayout(const std::string& op, const onnx::NodeProto& n, std::int64_t opset,
                const std::vector<const Values*>& in, const Need& need, std::vector<Values>& out) {
  if (op == "Identity") {
    out.push_back(need(0));
  } else if (op == "Shape") {
    out.push_back(ShapeOp(need(0).dims, n));
  } else if (op == "Size") {
    out.push_back(Make(T::INT64, {}));
    out.back().v[0] = static_cast<double>(need(0).Count());
  } else if (op == "Gather") {
    out.push_back(Gather(need(0), need(1), IntAttr(n, "axis", 0)));
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    Values r = need(0);
    r.dims = op == "Unsqueeze" ? Unsqueezed(r.dims, AxesOf(n, in, 1))
                               : Squeezed(r.dims, AxesOf(n, in, 1));
    out.push_back(std::move(r));
  } else if (op == "Concat") {
    std::vector<const Values*> parts;
    for (std::size_t k = 0; k < in.size(); ++k) parts.push_back(&need(k));
    out.push_back(Concat(parts, IntAttr(n, "axis", 0)));
  } else if (op == "Reshape") {
    Dims shape;
    if (opset < 5) {
      IntsAttr(n, "shape", &shape);
    } else {
      shape = IntsOf(&need(1));
    }
    out.push_back(Reshape(need(0), shape, IntAttr(n, "allowzero", 0) != 0));
  } else if (op == "Flatten") {
    const Values& v = need(0);
    const auto axis = static_cast<std::size_t>(Axis(IntAttr(n, "axis", 1), v.dims.size() + 1));
    std::int64_t lead = 1;
    for (std::size_t a = 0; a < axis; ++a) lead *= v.dims[a];
    out.push_back(Reshape(v, {lead, -1}, false));
  } else if (op == "Slice") {
    Dims starts, ends, axes, steps;
    if (opset < 10) {
      IntsAttr(n, "starts", &starts);
      IntsAttr(n, "ends", &ends);
      IntsAttr(n, "axes", &axes);
    } else {
      starts = IntsOf(&need(1));
      ends = IntsOf(&need(2));
      if (in.size() > 3) axes = IntsOf(in[3]);
      if (in.size() > 4) steps = IntsOf(in[4]);
    }
    out.push_back(Slice(need(0), starts, ends, axes, steps));
  } else if (op == "Transpose") {
    Dims perm;
    IntsAttr(n, "perm", &perm);
    out.push_back(Transpose(need(0), perm));
  } else {
    return false;
  }
  return true;
}

// Ops that compute values: Cast, ConstantOfShape, Range, arithmetic, Where, Expand.
bool FoldValues(const std::string& op, const onnx::NodeProto& n,
                const std::vector<const Values*>& in, const Need& need, std::vector<Values>& out) {
  if (op == "Cast") {
    Values r = need(0);
    r.type = static_cast<int>(IntAttr(n, "to", T::FLOAT));
    for (double& x : r.v) x = CastTo(r.type, x);
    out.push_back(std::move(r));
  } else if (op == "ConstantOfShape") {
    out.push_back(Filled(IntsOf(&need(0)), n));
  } else if (op == "Range") {
    out.push_back(RangeOp(need(0), need(1), need(2)));
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Equal" ||
             op == "Min" || op == "Max") {
    const int type = op == "Equal" ? static_cast<int>(T::BOOL) : need(0).type;
    std::vector<const Values*> operands = {&need(0), &need(1)};
    for (std::size_t k = 2; k < in.size() && (op == "Min" || op == "Max"); ++k) {
      operands.push_back(&need(k));
    }
    out.push_back(Broadcast(operands, type, [&](const std::vector<double>& a) {
      double r = a[0];
      for (std::size_t k = 1; k < a.size(); ++k) r = Binary(op, need(0).type, r, a[k]);
      return r;
    }));
  } else if (op == "Neg") {
    Values r = need(0);
    for (double& x : r.v) x = -x;
    out.push_back(std::move(r));
  } else if (op == "Where") {
    out.push_back(Broadcast({&need(0), &need(1), &need(2)}, need(1).type,
                            [](const std::vector<double>& a) { return a[0] != 0 ? a[1] : a[2]; }));
  } else if (op == "Expand") {
    const Values shape = Make(need(0).type, IntsOf(&need(1)));
    out.push_back(Broadcast({&need(0), &shape}, need(0).type,
                            [](const std::vector<double>& a) { return a[0]; }));
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool Fold(const std::string& op, const onnx::NodeProto& n, std::int64_t opset,
          const std::vector<const Values*>& in, std::vector<Values>& out) {
  const Need need = [&](std::size_t k) -> const Values& {
    if (in.size() <= k || !in[k]) Bad("input " + std::to_string(k) + " is missing");
    return *in[k];
  };
  out.clear();
  return FoldLayout(op, n, opset, in, need, out) || FoldValues(op, n, in, need, out);
}

}  // namespace msqx::io::onnx_in

#endif  // MSQX_HAVE_ONNX

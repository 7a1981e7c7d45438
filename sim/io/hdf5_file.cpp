#include "sim/io/hdf5_file.h"

#include <filesystem>
#include <system_error>

#include "sim/spec/json_reader.h"

#ifdef MSQX_HAVE_HDF5
#include <hdf5.h>
#endif

namespace msqx::io {

std::int64_t H5Array::Elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

namespace {

// Datasets beyond this are not weights of a layer msqx can unroll; refuse before allocating.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 26;
// Attributes beyond this are not a model config.
constexpr std::size_t kMaxAttributeBytes = std::size_t{64} << 20;

std::string Absolute(const std::string& path) {
  return path.empty() || path[0] != '/' ? "/" + path : path;
}

}  // namespace

#ifndef MSQX_HAVE_HDF5

bool Hdf5Available() { return false; }

H5File H5File::Open(const std::string& path) {
  throw spec::ConfigError(path, "$",
                          "this msqx was built without HDF5 support; install Debian's "
                          "libhdf5-dev (and libzip-dev for .keras), re-run cmake and rebuild");
}
H5File H5File::FromImage(const std::string&, const std::string& label) { return Open(label); }
H5File::H5File(H5File&& o) noexcept : id_(o.id_), label_(std::move(o.label_)) { o.id_ = -1; }
H5File& H5File::operator=(H5File&& o) noexcept {
  std::swap(id_, o.id_);
  std::swap(label_, o.label_);
  return *this;
}
H5File::~H5File() = default;
bool H5File::IsGroup(const std::string&) const { return false; }
bool H5File::IsDataset(const std::string&) const { return false; }
std::vector<std::string> H5File::Children(const std::string&) const { return {}; }
H5Array H5File::Read(const std::string& path) const {
  throw spec::ConfigError(label_, path, "HDF5 support");
}
std::optional<std::string> H5File::StringAttribute(const std::string&, const std::string&) const {
  return std::nullopt;
}
std::optional<std::vector<std::string>> H5File::StringListAttribute(const std::string&,
                                                                    const std::string&) const {
  return std::nullopt;
}

#else

bool Hdf5Available() { return true; }

namespace {

// Owns one HDF5 identifier and closes it with the function of its kind.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// HDF5 prints its error stack to stderr by default; msqx reports its own messages instead.
void Silence() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

// Whether every link on `path` exists (H5Lexists fails on a missing intermediate group).
bool Exists(hid_t file, const std::string& path) {
  const std::string abs = Absolute(path);
  if (abs == "/") return true;
  std::size_t pos = 1;
  while (true) {
    const std::size_t next = abs.find('/', pos);
    const std::string prefix = abs.substr(0, next);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

H5I_type_t KindOf(hid_t file, const std::string& path) {
  if (!Exists(file, path)) return H5I_BADID;
  Handle obj(H5Oopen(file, Absolute(path).c_str(), H5P_DEFAULT), H5Oclose);
  return obj.ok() ? H5Iget_type(obj.get()) : H5I_BADID;
}

// The strings of a string attribute, scalar or one-dimensional, fixed or variable length.
std::vector<std::string> ReadStrings(hid_t attr, const std::string& file,
                                     const std::string& where) {
  Handle type(H5Aget_type(attr), H5Tclose);
  Handle space(H5Aget_space(attr), H5Sclose);
  if (!type.ok() || !space.ok() || H5Tget_class(type.get()) != H5T_STRING) {
    throw spec::ConfigError(file, where, "a string attribute");
  }
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0 || static_cast<std::size_t>(count) > kMaxAttributeBytes) {
    throw spec::ConfigError(file, where, "a readable string attribute");
  }
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    std::vector<char*> ptrs(static_cast<std::size_t>(count), nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) {
      throw spec::ConfigError(file, where, "a readable string attribute");
    }
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  if (size == 0 || size * static_cast<std::size_t>(count) > kMaxAttributeBytes) {
    throw spec::ConfigError(file, where, "a string attribute of at most 64 MiB");
  }
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size);
  std::string buffer(size * static_cast<std::size_t>(count), '\0');
  if (H5Aread(attr, mem.get(), buffer.data()) < 0) {
    throw spec::ConfigError(file, where, "a readable string attribute");
  }
  for (hssize_t i = 0; i < count; ++i) {
    std::string s = buffer.substr(static_cast<std::size_t>(i) * size, size);
    s.erase(s.find_last_not_of('\0') + 1);  // NULLPAD / NULLTERM padding
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

H5File H5File::Open(const std::string& path) {
  Silence();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw spec::ConfigError(path, "$", "an existing file");
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw spec::ConfigError(path, "$", "an HDF5 file (HDF5 cannot open it as one)");
  }
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw spec::ConfigError(path, "$", "a readable HDF5 file");
  return H5File(id, path);
}

H5File H5File::FromImage(const std::string& bytes, const std::string& label) {
  Silence();
  static const char kSignature[] = "\x89HDF\r\n\x1a\n";
  if (bytes.size() < 8 || bytes.compare(0, 8, kSignature, 8) != 0) {
    throw spec::ConfigError(label, "$", "an HDF5 file (its signature is missing)");
  }
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  std::string copy = bytes;  // H5Pset_file_image copies it again; it takes a non-const pointer
  if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 ||
      H5Pset_file_image(fapl.get(), copy.data(), copy.size()) < 0) {
    throw spec::ConfigError(label, "$", "an HDF5 image HDF5 can open in memory");
  }
  const hid_t id = H5Fopen(label.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (id < 0) throw spec::ConfigError(label, "$", "a readable HDF5 file");
  return H5File(id, label);
}

H5File::H5File(H5File&& o) noexcept : id_(o.id_), label_(std::move(o.label_)) { o.id_ = -1; }

H5File& H5File::operator=(H5File&& o) noexcept {
  std::swap(id_, o.id_);
  std::swap(label_, o.label_);
  return *this;
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(static_cast<hid_t>(id_));
}

bool H5File::IsGroup(const std::string& path) const {
  return KindOf(static_cast<hid_t>(id_), path) == H5I_GROUP;
}

bool H5File::IsDataset(const std::string& path) const {
  return KindOf(static_cast<hid_t>(id_), path) == H5I_DATASET;
}

std::vector<std::string> H5File::Children(const std::string& group) const {
  if (!IsGroup(group)) throw spec::ConfigError(label_, Absolute(group), "a group");
  Handle g(H5Gopen2(static_cast<hid_t>(id_), Absolute(group).c_str(), H5P_DEFAULT), H5Gclose);
  H5G_info_t info;
  if (!g.ok() || H5Gget_info(g.get(), &info) < 0) {
    throw spec::ConfigError(label_, Absolute(group), "a readable group");
  }
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n =
        H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) throw spec::ConfigError(label_, Absolute(group), "readable link names");
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                       H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(n));
    names.push_back(std::move(name));
  }
  return names;
}

H5Array H5File::Read(const std::string& path) const {
  const std::string where = Absolute(path);
  if (!IsDataset(path)) throw spec::ConfigError(label_, where, "a dataset");
  Handle ds(H5Dopen2(static_cast<hid_t>(id_), where.c_str(), H5P_DEFAULT), H5Dclose);
  Handle type(ds.ok() ? H5Dget_type(ds.get()) : -1, H5Tclose);
  Handle space(ds.ok() ? H5Dget_space(ds.get()) : -1, H5Sclose);
  if (!ds.ok() || !type.ok() || !space.ok()) {
    throw spec::ConfigError(label_, where, "a readable dataset");
  }
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
    throw spec::ConfigError(label_, where, "a numeric (integer or float) dataset");
  }
  H5Array a;
  a.is_float = cls == H5T_FLOAT;
  a.element_bytes = static_cast<int>(H5Tget_size(type.get()));
  a.is_signed = a.is_float || H5Tget_sign(type.get()) == H5T_SGN_2;
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 8) throw spec::ConfigError(label_, where, "a dataset of rank 0 to 8");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::int64_t count = 1;
  for (hsize_t d : dims) {
    if (d > static_cast<hsize_t>(kMaxElements) ||
        count * static_cast<std::int64_t>(d) > kMaxElements)
      throw spec::ConfigError(label_, where, "at most 2^26 elements");
    count *= static_cast<std::int64_t>(d);
    a.shape.push_back(static_cast<std::int64_t>(d));
  }
  a.values.resize(static_cast<std::size_t>(count));
  if (count > 0 &&
      H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0) {
    throw spec::ConfigError(label_, where, "a dataset whose values can be read");
  }
  return a;
}

std::optional<std::string> H5File::StringAttribute(const std::string& path,
                                                   const std::string& name) const {
  auto list = StringListAttribute(path, name);
  if (!list) return std::nullopt;
  if (list->size() != 1) {
    throw spec::ConfigError(label_, Absolute(path) + "@" + name, "a single string");
  }
  return list->front();
}

std::optional<std::vector<std::string>> H5File::StringListAttribute(const std::string& path,
                                                                    const std::string& name) const {
  const std::string where = Absolute(path);
  const hid_t file = static_cast<hid_t>(id_);
  if (KindOf(file, path) == H5I_BADID ||
      H5Aexists_by_name(file, where.c_str(), name.c_str(), H5P_DEFAULT) <= 0) {
    return std::nullopt;
  }
  Handle attr(H5Aopen_by_name(file, where.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  if (!attr.ok()) throw spec::ConfigError(label_, where + "@" + name, "a readable attribute");
  return ReadStrings(attr.get(), label_, where + "@" + name);
}

#endif

}  // namespace msqx::io

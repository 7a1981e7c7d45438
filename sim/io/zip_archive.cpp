#include "sim/io/zip_archive.h"

#include <utility>

#include "sim/spec/json_reader.h"

#ifdef MSQX_HAVE_ZIP
#include <zip.h>
#endif

namespace msqx::io {

#ifndef MSQX_HAVE_ZIP

bool ZipAvailable() { return false; }

ZipArchive ZipArchive::Open(const std::string& path) {
  throw spec::ConfigError(path, "$",
                          "this msqx was built without zip support for .keras files; install "
                          "Debian's libzip-dev, re-run cmake and rebuild");
}
ZipArchive::ZipArchive(ZipArchive&& o) noexcept : handle_(o.handle_), path_(std::move(o.path_)) {
  o.handle_ = nullptr;
}
ZipArchive& ZipArchive::operator=(ZipArchive&& o) noexcept {
  std::swap(handle_, o.handle_);
  std::swap(path_, o.path_);
  return *this;
}
ZipArchive::~ZipArchive() = default;
std::vector<std::string> ZipArchive::Names() const { return {}; }
bool ZipArchive::Has(const std::string&) const { return false; }
std::string ZipArchive::Read(const std::string& member, std::size_t) const {
  throw spec::ConfigError(path_, member, "zip support");
}

#else

bool ZipAvailable() { return true; }

namespace {

zip_t* Z(void* h) { return static_cast<zip_t*>(h); }

std::string ErrorText(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

}  // namespace

ZipArchive ZipArchive::Open(const std::string& path) {
  int code = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (z == nullptr) {
    throw spec::ConfigError(path, "$", "a zip archive (a .keras file): " + ErrorText(code));
  }
  return ZipArchive(z, path);
}

ZipArchive::ZipArchive(ZipArchive&& o) noexcept : handle_(o.handle_), path_(std::move(o.path_)) {
  o.handle_ = nullptr;
}

ZipArchive& ZipArchive::operator=(ZipArchive&& o) noexcept {
  std::swap(handle_, o.handle_);
  std::swap(path_, o.path_);
  return *this;
}

ZipArchive::~ZipArchive() {
  if (handle_ != nullptr) zip_discard(Z(handle_));
}

std::vector<std::string> ZipArchive::Names() const {
  std::vector<std::string> names;
  const zip_int64_t n = zip_get_num_entries(Z(handle_), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(Z(handle_), static_cast<zip_uint64_t>(i), 0);
    if (name != nullptr) names.emplace_back(name);
  }
  return names;
}

bool ZipArchive::Has(const std::string& member) const {
  return zip_name_locate(Z(handle_), member.c_str(), 0) >= 0;
}

std::string ZipArchive::Read(const std::string& member, std::size_t max_bytes) const {
  const zip_int64_t index = zip_name_locate(Z(handle_), member.c_str(), 0);
  if (index < 0) throw spec::ConfigError(path_, member, "a member of that name");
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(Z(handle_), static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
      (st.valid & ZIP_STAT_SIZE) == 0) {
    throw spec::ConfigError(path_, member, "a member whose size the archive states");
  }
  if (st.size > max_bytes) {
    throw spec::ConfigError(
        path_, member,
        "at most " + std::to_string(max_bytes) + " bytes, got " + std::to_string(st.size));
  }
  zip_file_t* f = zip_fopen_index(Z(handle_), static_cast<zip_uint64_t>(index), 0);
  if (f == nullptr) {
    throw spec::ConfigError(path_, member,
                            "a readable member: " + std::string(zip_strerror(Z(handle_))));
  }
  std::string data(static_cast<std::size_t>(st.size), '\0');
  zip_int64_t got = 0;
  while (got < static_cast<zip_int64_t>(data.size())) {
    const zip_int64_t n =
        zip_fread(f, data.data() + got, data.size() - static_cast<std::size_t>(got));
    if (n <= 0) break;
    got += n;
  }
  char extra;  // a member longer than its stated size is damaged too
  const bool longer = got == static_cast<zip_int64_t>(data.size()) && zip_fread(f, &extra, 1) > 0;
  const std::string error = zip_file_strerror(f);
  zip_fclose(f);
  if (got != static_cast<zip_int64_t>(data.size()) || longer) {
    throw spec::ConfigError(path_, member, "an undamaged member (" + error + ")");
  }
  return data;
}

#endif

}  // namespace msqx::io

#pragma once
// Read-only access to the members of a zip archive (Debian's libzip-dev), for Keras' .keras files
// (config.json, metadata.json and model.weights.h5 in a zip). Every failure is a
// spec::ConfigError naming the archive, the member and what was expected.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace msqx::io {

// Whether msqx was built with libzip-dev (else Open throws spec::ConfigError).
bool ZipAvailable();

class ZipArchive {
 public:
  static ZipArchive Open(const std::string& path);
  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  const std::string& path() const { return path_; }
  std::vector<std::string> Names() const;
  bool Has(const std::string& member) const;
  // The whole member; throws when it is missing, larger than max_bytes or damaged.
  std::string Read(const std::string& member, std::size_t max_bytes = std::size_t{1} << 30) const;

 private:
  ZipArchive(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  void* handle_ = nullptr;  // zip_t*
  std::string path_;
};

}  // namespace msqx::io

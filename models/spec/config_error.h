#pragma once
// The error of a bad input: which file, where in it (a JSON path such as "$.layers[3].kernel"),
// what was expected. Models throw it when a config asks for something they cannot build; the
// command line prints it and exits with status 2. Plain C++: no JSON behind it.

#include <stdexcept>
#include <string>

namespace msqx::spec {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::string json_path, std::string message);
  const std::string& file() const { return file_; }
  const std::string& json_path() const { return json_path_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_, json_path_, message_;
};

}  // namespace msqx::spec

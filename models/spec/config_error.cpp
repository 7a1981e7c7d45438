#include "models/spec/config_error.h"

#include <utility>

namespace msqx::spec {

ConfigError::ConfigError(std::string file, std::string json_path, std::string message)
    : std::runtime_error(file + ": " + json_path + ": " + message),
      file_(std::move(file)),
      json_path_(std::move(json_path)),
      message_(std::move(message)) {}

}  // namespace msqx::spec

#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <new>
#include <string>

#include "msqx/version.h"
#include "sim/cli/commands.h"
#include "sim/cli/options.h"
#include "sim/report/file_io.h"
#include "sim/report/output_lock.h"
#include "sim/spec/json_reader.h"

namespace msqx::cli {
namespace {

struct Command {
  int (*run)(const Args&);
  const char* summary;
};

const std::map<std::string, Command>& Commands() {
  static const std::map<std::string, Command> commands = {
      {"sim", {RunSim, "simulate one design on one network and write its report"}},
      {"sweep", {RunSweep, "explore a design space and pick the best points"}},
      {"merge", {RunMerge, "join the shards of a sweep into one result"}},
      {"hls", {RunHls, "export a design point as an HLS project"}},
      {"quant", {RunQuant, "split filters into fixed-point and SP2, report the error"}},
      {"import", {RunImport, "turn an ONNX model into a network config and weights"}},
  };
  return commands;
}

void PrintUsage(std::ostream& os) {
  os << "usage: msqx <command> [options]\n       msqx --version\n\ncommands:\n";
  for (const auto& [name, cmd] : Commands()) {
    os << "  " << name << std::string(10 - name.size(), ' ') << cmd.summary << "\n";
  }
  os << "\n'msqx <command> --help' describes a command's options.\n";
}

}  // namespace

int Dispatch(int argc, char** argv) {
  Args all(argv + 1, argv + argc);
  if (all.empty()) {
    PrintUsage(std::cerr);
    return 2;
  }
  const std::string& first = all.front();
  if (first == "--help" || first == "-h" || first == "help") {
    PrintUsage(std::cout);
    return 0;
  }
  if (first == "--version") {
    std::cout << "msqx " << MSQX_VERSION << " (git " << MSQX_GIT_HASH << ")\n";
    return 0;
  }
  auto it = Commands().find(first);
  if (it == Commands().end()) {
    std::cerr << "msqx: unknown command '" << first << "'";
    std::vector<std::string> names;
    for (const auto& entry : Commands()) names.push_back(entry.first);
    if (auto guess = spec::DidYouMean(first, names))
      std::cerr << "; did you mean '" << *guess << "'?";
    std::cerr << "\n";
    PrintUsage(std::cerr);
    return 2;
  }
  // Messages are cut: one must never echo a 200 MB value.
  const auto say = [&first](const std::string& text) {
    std::cerr << "msqx " << first << ": " << spec::Elide(text, 4000) << "\n";
  };
  try {
    return it->second.run(Args(all.begin() + 1, all.end()));
  } catch (const spec::ConfigError& e) {
    std::cerr << "msqx: error: " << spec::Elide(e.what(), 4000) << "\n";
    return 2;
  } catch (const UsageError& e) {
    say(e.what());
    return 2;
  } catch (const NotImplemented& e) {
    say(e.what());
    return 2;
  } catch (const report::OutputConflict& e) {
    say(e.what());
    return 2;
  } catch (const report::IoError& e) {
    say(std::string(e.what()) +
        " (nothing half-written was kept; free space or choose another "
        "--out, then run again)");
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {
    // The system refused a file operation on an output (a read-only or missing place).
    say("cannot write " + e.path1().string() + ": " + e.code().message() + " (check --out)");
    return 3;
  } catch (const std::bad_alloc&) {
    say("out of memory");
    return 1;
  } catch (const std::exception& e) {
    say(std::string("internal error: ") + e.what());
    return 1;
  } catch (...) {
    say("internal error (unknown exception)");
    return 1;
  }
}

}  // namespace msqx::cli

#include "dse/hls/check.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "dse/hls/scripts.h"
#include "dse/hls/sv_for_yosys.h"

namespace msqx::hls {
namespace {

namespace fs = std::filesystem;

std::string Quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a shell command with its output appended to `log`; true on exit status 0.
bool Run(const std::string& command, const fs::path& log) {
  const std::string line = "(" + command + ") >>" + Quoted(log.string()) + " 2>&1";
  {
    std::ofstream out(log, std::ios::app);
    out << "$ " << command << "\n";
  }
  const int status = std::system(line.c_str());
  return status == 0;
}

// A command's standard output ("" when it cannot run).
std::string Capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
    pclose(pipe);
  }
  return out;
}

std::string Trim(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// The first line of a log that reports an error.
std::string FirstError(const std::string& log) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("ERROR") != std::string::npos) return line;
  }
  return "";
}

// The module ICSC wrote for the elaborated top (its header comment names the instance tb.top),
// or "" when none says so.
std::string TopModule(const std::vector<std::string>& sv_files) {
  static const std::regex header(R"(^module\s+(\w+)\s*//\s*"tb\.top"\s*$)");
  for (const auto& f : sv_files) {
    std::istringstream in(Slurp(f));
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, header)) return m[1];
    }
  }
  return "";
}

bool OnPath(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// The last line of the testbench's output that is a JSON object.
nlohmann::json TestbenchResult(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  nlohmann::json result;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    result = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  }
  return result.is_discarded() ? nlohmann::json() : result;
}

// The last lines of a log, for an error message.
std::string Tail(const std::string& text, int lines) {
  std::size_t pos = text.size();
  for (int i = 0; i <= lines && pos != std::string::npos && pos > 0; ++i)
    pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

nlohmann::json Synthesize(const HlsCheckTarget& target, const HlsCheckOptions& options,
                          HlsCheck* check) {
  const fs::path& dir = target.dir;
  const fs::path log = dir / "icsc" / "check.log";
  const char* home = std::getenv("ICSC_HOME");
  nlohmann::json icsc = {{"found", false}};
  // An installation provides SVC's CMake package (svc_target) and the translator library.
  const auto installed = [](const fs::path& h) {
    for (const char* lib : {"lib", "lib64"}) {
      if (fs::exists(h / lib / "cmake" / "SVC") || fs::exists(h / lib / "libSCTool.so"))
        return true;
    }
    return false;
  };
  if (home == nullptr || !installed(home)) {
    icsc["note"] =
        std::string("ICSC_HOME ") +
        (home ? "does not hold an ICSC installation (" + std::string(home) + ")" : "is not set") +
        ": with Intel's SystemC compiler installed, --check also translates Top to SystemVerilog, "
        "lints it with Verilator and synthesizes it with Yosys synth_xilinx, and puts Yosys's "
        "LUT/FF/DSP/BRAM counts beside the resource model's estimate";
    return icsc;
  }
  check->icsc_found = true;
  icsc = {{"found", true}, {"home", home}, {"log", log.string()}};
  fs::remove(log);
  if (options.note)
    options.note("translating Top to SystemVerilog with ICSC (" + std::string(home) + ")");
  const fs::path build = dir / "icsc" / "build";
  // ICSC's environment (its own SystemC and LLVM libraries), then its tool build and run.
  // setenv.sh is a bash script (it finds itself through BASH_SOURCE).
  const std::string env = fs::exists(fs::path(home) / "setenv.sh")
                              ? "source " + Quoted(home + std::string("/setenv.sh")) + " && "
                              : "";
  const std::string steps = env + "cmake -S " + Quoted((dir / "icsc").string()) + " -B " +
                            Quoted(build.string()) + " -DCMAKE_PREFIX_PATH=" + Quoted(home) +
                            " && cmake --build " + Quoted(build.string()) +
                            " --target msqx_top_sctool -j " + std::to_string(options.jobs) +
                            " && cd " + Quoted(build.string()) + " && timeout " +
                            std::to_string(options.icsc_timeout_s) + " ./msqx_top_sctool";
  if (!Run("bash -c " + Quoted(steps), log)) {
    icsc["error"] = "ICSC translation failed or ran past --icsc-timeout (" +
                    std::to_string(options.icsc_timeout_s) + " s): " + Tail(Slurp(log), 15);
    return icsc;
  }
  std::vector<std::string> sv;
  if (fs::exists(build / "sv_out")) {
    for (const auto& e : fs::directory_iterator(build / "sv_out")) {
      if (e.path().extension() == ".sv") sv.push_back(e.path().string());
    }
  }
  if (sv.empty()) {
    icsc["error"] = "ICSC ran but wrote no .sv file under " + (build / "sv_out").string();
    return icsc;
  }
  const std::string top = TopModule(sv);
  for (const auto& f : target.systemverilog) sv.push_back(f.string());
  std::string files;
  for (const auto& f : sv) files += " " + Quoted(f);
  icsc["systemverilog"] = sv;
  if (OnPath("verilator")) {
    const std::string top_module = top.empty() ? "" : " --top-module " + top;
    icsc["verilator_lint"] = Run("verilator --lint-only -Wno-fatal" + top_module + files, log)
                                 ? "clean"
                                 : "errors (see log)";
  } else {
    icsc["verilator_lint"] = "verilator not installed";
  }
  if (!OnPath("yosys")) {
    icsc["error"] = "yosys is not installed (Debian package yosys)";
    return icsc;
  }
  icsc["yosys_version"] = Trim(Capture("yosys -V"));
  const std::string top_arg = top.empty() ? "" : " -top " + top;
  const auto reads = [](const std::vector<std::string>& files) {
    std::string r;
    for (const auto& f : files) r += "read_verilog -sv " + f + "; ";
    return r;
  };
  // ICSC's SystemVerilog as it is when this Yosys reads it; Debian 12's Yosys 0.23 does not, and
  // reads a converted copy instead (dse/hls/sv_for_yosys.h: good for an estimate, not verified
  // equivalent).
  std::vector<std::string> input = sv;
  const std::size_t log_before = Slurp(log).size();
  if (Run("yosys -q -p " + Quoted(reads(sv) + "hierarchy -check" + top_arg), log)) {
    icsc["yosys_input"] = "icsc";
  } else {
    icsc["yosys_icsc_read_error"] = FirstError(Slurp(log).substr(log_before));
    if (options.note)
      options.note("Yosys cannot read ICSC's SystemVerilog as it is: converting it for Yosys 0.23");
    const fs::path converted = dir / "icsc" / "yosys";
    fs::create_directories(converted);
    input.clear();
    try {
      for (const auto& f : sv) {
        const fs::path out = converted / fs::path(f).filename();
        WriteProjectFile(out, SvForYosys(Slurp(f)));
        input.push_back(out.string());
      }
    } catch (const std::runtime_error& e) {
      icsc["error"] =
          std::string("Yosys cannot read ICSC's SystemVerilog and msqx cannot convert it: ") +
          e.what();
      return icsc;
    }
    if (!Run("yosys -q -p " + Quoted(reads(input) + "hierarchy -check" + top_arg), log)) {
      icsc["error"] = "Yosys reads neither ICSC's SystemVerilog nor msqx's conversion of it (" +
                      converted.string() + "): " + Tail(Slurp(log), 15);
      return icsc;
    }
    icsc["yosys_input"] = "converted for yosys 0.23";
    icsc["yosys_converted"] = input;
  }
  if (options.note)
    options.note("synthesizing with Yosys synth_xilinx -family " + target.yosys_family);
  const fs::path stat = dir / "icsc" / "yosys_stat.txt";
  const auto start = std::chrono::steady_clock::now();
  if (!Run("yosys -q -p " + Quoted(reads(input) + "synth_xilinx -family " + target.yosys_family +
                                   top_arg + "; tee -o " + stat.string() + " stat"),
           log)) {
    icsc["error"] = "Yosys synthesis failed: " + Tail(Slurp(log), 15);
    return icsc;
  }
  icsc["yosys_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  const auto counts = YosysCounts(Slurp(stat));
  nlohmann::json diff;
  for (const auto& [key, est] : target.estimate) {
    const long long got = counts.count(key) ? counts.at(key) : 0;
    diff[key] = {
        {"yosys", got},
        {"model", est},
        {"difference", got - est},
        {"difference_percent",
         est > 0 ? 100.0 * static_cast<double>(got - est) / static_cast<double>(est) : 0.0}};
  }
  icsc["yosys"] = counts;
  icsc["comparison"] = diff;
  icsc["estimate_scope"] = target.estimate_scope;
  check->synthesized = true;
  return icsc;
}

}  // namespace

std::map<std::string, long long> YosysCounts(const std::string& stat_report) {
  std::map<std::string, long long> counts = {{"lut", 0}, {"ff", 0}, {"dsp", 0}, {"bram18", 0}};
  const std::regex name_first(R"(^\s+([A-Za-z_$][\w$]*)\s+(\d+)\s*$)");
  const std::regex count_first(R"(^\s+(\d+)\s+(?:[\d.]+\s+)?([A-Za-z_$][\w$]*)\s*$)");
  // A design that keeps its hierarchy (synth_xilinx does not flatten) is reported module by module,
  // each once however often it is instantiated, then as totals under "design hierarchy": those.
  const std::size_t totals = stat_report.find("=== design hierarchy ===");
  std::istringstream in(totals == std::string::npos ? stat_report : stat_report.substr(totals));
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    std::string cell;
    long long n = 0;
    if (std::regex_match(line, m, name_first)) {
      cell = m[1];
      n = std::stoll(m[2]);
    } else if (std::regex_match(line, m, count_first)) {
      cell = m[2];
      n = std::stoll(m[1]);
    } else {
      continue;
    }
    if (std::regex_match(cell, std::regex("LUT[1-6]")))
      counts["lut"] += n;
    else if (std::regex_match(cell, std::regex("FD[RSCP]E(_1)?")))
      counts["ff"] += n;
    else if (std::regex_match(cell, std::regex("DSP48E[12]")))
      counts["dsp"] += n;
    else if (std::regex_match(cell, std::regex("RAMB18E[12]")))
      counts["bram18"] += n;
    else if (std::regex_match(cell, std::regex("RAMB36E[12]")))
      counts["bram18"] += 2 * n;
  }
  return counts;
}

HlsCheck RunHlsCheck(const HlsCheckTarget& target, const HlsCheckOptions& options) {
  HlsCheck check;
  const fs::path& dir = target.dir;
  const fs::path build = dir / "build";
  const fs::path log = dir / "check.log";
  fs::remove(log);
  fs::remove(dir / "hls_check.json");
  nlohmann::json systemc = {{"log", log.string()}};
  if (options.note)
    options.note("building the testbench with Debian's SystemC (log: " + log.string() + ")");
  const bool built = Run("cmake -S " + Quoted(dir.string()) + " -B " + Quoted(build.string()) +
                             " -DCMAKE_BUILD_TYPE=Release && cmake --build " +
                             Quoted(build.string()) + " -j " + std::to_string(options.jobs),
                         log);
  systemc["built"] = built;
  if (!built) {
    systemc["error"] = "the testbench did not build: " + Tail(Slurp(log), 15);
  } else {
    if (options.note) {
      options.note("running layer " + target.layer + " through Top (" +
                   std::to_string(target.expected_cycles) + " cycles)");
    }
    const fs::path out = dir / "tb.log";
    fs::remove(out);
    const bool ran =
        Run("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + Quoted((build / "msqx_tb").string()), out);
    const std::string output = Slurp(out);
    std::ofstream(log, std::ios::app) << output;
    systemc["result"] = TestbenchResult(output);
    check.pass = ran && systemc["result"].value("pass", false);
    if (!check.pass) systemc["error"] = Tail(output, 8);
  }
  systemc["pass"] = check.pass;
  check.report = {{"schema", "msqx.hls_check/1"},
                  {"design", target.design},
                  {"network", target.network},
                  {"layer", target.layer},
                  {"systemc", systemc}};
  check.report["icsc"] = Synthesize(target, options, &check);
  const fs::path tmp = dir / "hls_check.json.tmp";
  WriteProjectFile(tmp, check.report.dump(2) + "\n");
  fs::rename(tmp, dir / "hls_check.json");
  return check;
}

}  // namespace msqx::hls

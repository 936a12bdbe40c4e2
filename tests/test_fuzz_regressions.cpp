// Every input the fuzzers ever broke (tests/fuzz/regressions/) answers with a
// well-formed response: ok, or an error with code, message and path.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include "model.hpp"

using namespace wt;

namespace {
void check_response(const std::string& text, const std::string& name) {
  INFO(name);
  json r = json::parse(text);
  REQUIRE(r.contains("ok"));
  if (!r["ok"].get<bool>()) {
    CHECK(r["error"]["code"].is_string());
    CHECK(!r["error"]["message"].get<std::string>().empty());
    CHECK(r["error"]["path"].is_string());
    CHECK(r["error"]["code"] != "internal");
  }
}
}  // namespace

TEST_CASE("fuzzer regressions stay fixed", "[fuzz][issue10]") {
  namespace fs = std::filesystem;
  fs::path root = fs::path(WHICHGPU_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
  int n = 0;
  if (!fs::exists(root)) return;
  for (const auto& target : fs::directory_iterator(root)) {
    if (!target.is_directory()) continue;
    const std::string t = target.path().filename().string();
    for (const auto& f : fs::directory_iterator(target.path())) {
      std::ifstream in(f.path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      const std::string bytes = ss.str();
      const std::string name = t + "/" + f.path().filename().string();
      if (t == "fuzz_evaluate") {
        check_response(whichgpu::evaluate_json(bytes), name);
      } else if (t == "fuzz_decide") {
        check_response(whichgpu::decide_json(bytes), name);
      } else if (t == "fuzz_config_import") {
        INFO(name);
        try {
          whichgpu::import_hf_config(whichgpu::parse_json(bytes), "");
        } catch (const whichgpu::Error& e) {
          CHECK(e.code != "internal");
          CHECK(std::string(e.what()).size() > 0);
        }
      }
      ++n;
    }
  }
  CHECK(n >= 1);
}

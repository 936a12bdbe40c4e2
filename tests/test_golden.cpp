// Golden request/response pairs (tests/golden/), compared field by field. The
// same pairs run against the wasm build under Node (tests/node/golden.mjs).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.hpp"

using namespace wt;

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void compare(const json& got, const json& want, const std::string& path) {
  INFO(path);
  if (want.is_number() && got.is_number()) {
    double a = got.get<double>(), b = want.get<double>();
    double tol = 1e-9 * std::max(std::fabs(a), std::fabs(b)) + 1e-300;
    CHECK(std::fabs(a - b) <= tol);
    return;
  }
  REQUIRE(got.type() == want.type());
  if (want.is_object()) {
    CHECK(got.size() == want.size());
    for (auto it = want.begin(); it != want.end(); ++it) {
      REQUIRE(got.contains(it.key()));
      compare(got[it.key()], *it, path + "/" + it.key());
    }
  } else if (want.is_array()) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) compare(got[i], want[i], path + "/" + std::to_string(i));
  } else {
    CHECK(got == want);
  }
}
}  // namespace

TEST_CASE("golden responses are reproduced field by field", "[golden][issue2]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(WHICHGPU_SOURCE_DIR) / "tests" / "golden";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() < 13 || name.substr(name.size() - 13) != ".request.json") continue;
    fs::path resp = dir / (name.substr(0, name.size() - 13) + ".response.json");
    REQUIRE(fs::exists(resp));
    json got = json::parse(whichgpu::evaluate_json(slurp(e.path())));
    json want = json::parse(slurp(resp));
    compare(got, want, name);
    ++n;
  }
  CHECK(n >= 10);
}

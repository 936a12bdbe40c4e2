// Safe JSON in: size and depth limits, duplicate keys, overflow paths; and a strict field reader.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "error.hpp"

namespace whichgpu {

using json = nlohmann::json;

constexpr std::size_t kMaxRequestBytes = 1u << 20;  // 1 MiB (API.md, Input limits)
constexpr int kMaxDepth = 64;

// Parses text with the API's limits. Throws Error: too_large, too_deep,
// duplicate_key, invalid_json, out_of_range (numbers that overflow a double).
// `file` is set on errors from catalog files.
json parse_json(const std::string& text, std::size_t max_bytes = kMaxRequestBytes,
                const std::string& file = "");

// JSON Pointer escaping of one reference token (RFC 6901).
std::string pointer_token(const std::string& key);

// Levenshtein distance; for "did you mean".
std::size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within a sensible distance, or "".
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

// A strict reader over one JSON object: every key the code asks about is known;
// finish() rejects the rest with "did you mean". Errors carry the JSON Pointer,
// and the catalog file when reading one.
class Reader {
 public:
  Reader(const json& j, std::string path, std::string file = "", std::string what = "object");

  bool has(const std::string& key);  // present and not null
  bool present(const std::string& key);  // present, possibly null
  const json& get(const std::string& key);  // required (missing_field)
  const json* find(const std::string& key);  // optional; nullptr when absent

  double number(const std::string& key, double lo, double hi, const std::string& unit);
  std::optional<double> opt_number(const std::string& key, double lo, double hi,
                                   const std::string& unit);
  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                       const std::string& unit);
  std::optional<std::int64_t> opt_integer(const std::string& key, std::int64_t lo,
                                          std::int64_t hi, const std::string& unit);
  std::string str(const std::string& key);
  std::optional<std::string> opt_str(const std::string& key);
  std::string one_of(const std::string& key, const std::vector<std::string>& allowed);
  bool boolean(const std::string& key);
  std::optional<bool> opt_boolean(const std::string& key);
  Reader object(const std::string& key);
  const json& array(const std::string& key);

  // Rejects keys nobody asked about.
  void finish();
  void ignore(const std::string& key) { known_.insert(key); }
  void ignore_all(const std::vector<std::string>& keys);

  std::string path_of(const std::string& key) const { return path_ + "/" + pointer_token(key); }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  const json& raw() const { return j_; }
  [[noreturn]] void error(const std::string& code, const std::string& key,
                          const std::string& message) const;

 private:
  const json& j_;
  std::string path_;
  std::string file_;
  std::set<std::string> known_;
};

// Value checks usable on any json node (for arrays and maps).
double as_number(const json& v, const std::string& path, double lo, double hi,
                 const std::string& unit, const std::string& file = "");
std::int64_t as_integer(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi,
                        const std::string& unit, const std::string& file = "");
std::string as_string(const json& v, const std::string& path, const std::string& file = "");
std::string type_name(const json& v);
std::string format_number(double v);  // short human form for messages
std::string fmt(const char* printf_format, double v);  // one number in a printf format

}  // namespace whichgpu

// Safe JSON parsing (limits, duplicate keys, error paths) and the strict field reader.
#include "json_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace whichgpu {
namespace {

// Where the parser is, so that every error names a JSON Pointer (TOOLCHAIN trap 15:
// an overflowing number aborts the parse before its value event; the key came first).
struct Frame {
  bool is_array = false;
  std::string key;           // object: the last key read
  std::set<std::string> keys;  // object: keys seen, for duplicates
  long next_index = 0;       // array: index the next element gets
  long cur_index = -1;       // array: index of the open child element
};

std::string pointer_of(const std::vector<Frame>& stack, bool failing_value) {
  std::string p;
  for (std::size_t i = 0; i < stack.size(); ++i) {
    const Frame& f = stack[i];
    const bool top = i + 1 == stack.size();
    if (f.is_array) {
      long idx = top && failing_value ? f.next_index : f.cur_index;
      if (idx >= 0) p += "/" + std::to_string(idx);
    } else if (!f.key.empty() || !f.keys.empty()) {
      p += "/" + pointer_token(f.key);
    }
  }
  return p;
}

}  // namespace

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

json parse_json(const std::string& text, std::size_t max_bytes, const std::string& file) {
  if (text.size() > max_bytes)
    throw Error("too_large",
                "input is " + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(max_bytes) + " bytes",
                "", file);
  std::vector<Frame> stack;
  auto on_child_start = [&stack]() {
    if (!stack.empty() && stack.back().is_array) {
      stack.back().cur_index = stack.back().next_index++;
    }
  };
  json::parser_callback_t cb = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        on_child_start();
        if (static_cast<int>(stack.size()) >= kMaxDepth)
          throw Error("too_deep",
                      "input is nested deeper than " + std::to_string(kMaxDepth) + " levels",
                      pointer_of(stack, false), file);
        stack.push_back(Frame{});
        stack.back().is_array = event == json::parse_event_t::array_start;
        break;
      case json::parse_event_t::key: {
        Frame& f = stack.back();
        std::string k = parsed.get<std::string>();
        if (!f.keys.insert(k).second) {
          f.key = k;
          throw Error("duplicate_key", "key \"" + (k.size() > 64 ? k.substr(0, 64) + "..." : k) +
                                           "\" appears twice in one object",
                      pointer_of(stack, false), file);
        }
        f.key = std::move(k);
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        stack.pop_back();
        break;
      case json::parse_event_t::value:
        if (!stack.empty() && stack.back().is_array) stack.back().next_index++;
        break;
    }
    return true;
  };
  try {
    return json::parse(text, cb, true, false);
  } catch (const json::out_of_range&) {
    throw Error("out_of_range", "a number is too large to represent (it overflows a double)",
                pointer_of(stack, true), file);
  } catch (const json::parse_error& e) {
    throw Error("invalid_json",
                "malformed JSON at byte " + std::to_string(e.byte) +
                    " (check quotes, commas and brackets)",
                pointer_of(stack, true), file);
  }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.size() > 200) return "";
  std::string best;
  std::size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    // Prefix matches ("h100" for "nvidia-h100-sxm-80gb") count as close.
    if (word.size() >= 3 && c.find(word) != std::string::npos) d = std::min<std::size_t>(d, 1);
    if (d < best_d || (d == best_d && c < best)) {
      best_d = d;
      best = c;
    }
  }
  std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_d <= limit ? best : "";
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

std::string fmt(const char* printf_format, double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, printf_format, v);
  return buf;
}

std::string format_number(double v) { return fmt("%.6g", v); }

static std::string range_text(double lo, double hi, const std::string& unit) {
  return "[" + format_number(lo) + ", " + format_number(hi) + "]" + (unit.empty() ? "" : " " + unit);
}

double as_number(const json& v, const std::string& path, double lo, double hi,
                 const std::string& unit, const std::string& file) {
  if (!v.is_number()) {
    std::string got = type_name(v);
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      got = "the string \"" + (s.size() > 32 ? s.substr(0, 32) + "..." : s) + "\"";
    }
    throw Error("wrong_type", "expected a number" + (unit.empty() ? "" : " in " + unit) + ", got " + got,
                path, file);
  }
  double d = v.get<double>();
  if (!std::isfinite(d) || d < lo || d > hi)
    throw Error("out_of_range", format_number(d) + " is outside " + range_text(lo, hi, unit), path,
                file);
  return d;
}

std::int64_t as_integer(const json& v, const std::string& path, std::int64_t lo, std::int64_t hi,
                        const std::string& unit, const std::string& file) {
  double d = as_number(v, path, static_cast<double>(lo), static_cast<double>(hi), unit, file);
  if (v.is_number_float() && d != std::floor(d))
    throw Error("wrong_type", "expected a whole number" + (unit.empty() ? "" : " of " + unit) +
                                  ", got " + format_number(d),
                path, file);
  if (v.is_number_unsigned()) return static_cast<std::int64_t>(v.get<std::uint64_t>());
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return static_cast<std::int64_t>(d);
}

std::string as_string(const json& v, const std::string& path, const std::string& file) {
  if (!v.is_string()) throw Error("wrong_type", "expected a string, got " + type_name(v), path, file);
  return v.get<std::string>();
}

Reader::Reader(const json& j, std::string path, std::string file, std::string what)
    : j_(j), path_(std::move(path)), file_(std::move(file)) {
  if (!j_.is_object())
    throw Error("wrong_type", "expected " + what + " (a JSON object), got " + type_name(j_), path_,
                file_);
}

void Reader::error(const std::string& code, const std::string& key, const std::string& message) const {
  throw Error(code, message, key.empty() ? path_ : path_of(key), file_);
}

bool Reader::present(const std::string& key) {
  known_.insert(key);
  return j_.contains(key);
}

bool Reader::has(const std::string& key) { return present(key) && !j_.at(key).is_null(); }

const json* Reader::find(const std::string& key) {
  known_.insert(key);
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& Reader::get(const std::string& key) {
  known_.insert(key);
  auto it = j_.find(key);
  if (it == j_.end()) error("missing_field", key, "required field \"" + key + "\" is missing");
  return *it;
}

double Reader::number(const std::string& key, double lo, double hi, const std::string& unit) {
  return as_number(get(key), path_of(key), lo, hi, unit, file_);
}
std::optional<double> Reader::opt_number(const std::string& key, double lo, double hi,
                                         const std::string& unit) {
  const json* v = find(key);
  if (!v) return std::nullopt;
  return as_number(*v, path_of(key), lo, hi, unit, file_);
}
std::int64_t Reader::integer(const std::string& key, std::int64_t lo, std::int64_t hi,
                             const std::string& unit) {
  return as_integer(get(key), path_of(key), lo, hi, unit, file_);
}
std::optional<std::int64_t> Reader::opt_integer(const std::string& key, std::int64_t lo,
                                                std::int64_t hi, const std::string& unit) {
  const json* v = find(key);
  if (!v) return std::nullopt;
  return as_integer(*v, path_of(key), lo, hi, unit, file_);
}
std::string Reader::str(const std::string& key) { return as_string(get(key), path_of(key), file_); }
std::optional<std::string> Reader::opt_str(const std::string& key) {
  const json* v = find(key);
  if (!v) return std::nullopt;
  return as_string(*v, path_of(key), file_);
}
std::string Reader::one_of(const std::string& key, const std::vector<std::string>& allowed) {
  std::string s = str(key);
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    std::string near = nearest(s, allowed);
    error("out_of_range", key,
          "\"" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "\" is not one of: " + list +
              (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
  }
  return s;
}
bool Reader::boolean(const std::string& key) {
  const json& v = get(key);
  if (!v.is_boolean()) error("wrong_type", key, "expected a boolean, got " + type_name(v));
  return v.get<bool>();
}
std::optional<bool> Reader::opt_boolean(const std::string& key) {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) error("wrong_type", key, "expected a boolean, got " + type_name(*v));
  return v->get<bool>();
}
Reader Reader::object(const std::string& key) { return Reader(get(key), path_of(key), file_); }
const json& Reader::array(const std::string& key) {
  const json& v = get(key);
  if (!v.is_array()) error("wrong_type", key, "expected an array, got " + type_name(v));
  return v;
}

void Reader::ignore_all(const std::vector<std::string>& keys) {
  for (const auto& k : keys) known_.insert(k);
}

void Reader::finish() {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (known_.count(it.key())) continue;
    std::vector<std::string> cands(known_.begin(), known_.end());
    std::string near = nearest(it.key(), cands);
    std::string k = it.key().size() > 64 ? it.key().substr(0, 64) + "..." : it.key();
    error("unknown_key", it.key(),
          "unknown field \"" + k + "\"" + (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
  }
}

}  // namespace whichgpu

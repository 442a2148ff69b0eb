// The running configuration as JSON with its secrets hidden (see
// config_redaction.hpp for what is a secret). Runs once at start-up on the
// main thread (the daemon keeps the answer) and in tests and the fuzz
// harness; nothing here is on a hot path.
#include "config/config_redaction.hpp"

#include <array>
#include <cctype>
#include <exception>
#include <initializer_list>
#include <new>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "opensoc/core/json_number.hpp"
#include "opensoc/core/json_writer.hpp"

namespace opensoc::config {
namespace {

constexpr int kMaxDepth = 64;
// A config is a few kilobytes and a few thousand values; aliases can make
// its rendering explode (each level of `[*a, *a]` doubles it).
constexpr std::size_t kMaxOutputBytes = 16u << 20;
constexpr std::size_t kMaxValues = 200000;

// "tlsPrivateKey", "api-key", "API_KEY" -> {"tls","private","key"}, {"api","key"}.
std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  char prev = 0;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u)) {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      // camelCase boundary: a capital after a lower-case letter or digit.
      if (std::isupper(u) && prev != 0 && (std::islower(static_cast<unsigned char>(prev)) ||
                                          std::isdigit(static_cast<unsigned char>(prev)))) {
        if (!cur.empty()) words.push_back(std::move(cur));
        cur.clear();
      }
      cur += static_cast<char>(std::tolower(u));
    }
    prev = c;
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set)
    if (w == s) return true;
  return false;
}

bool looks_like_path(std::string_view v) {
  if (v.empty()) return false;
  if (v.find('/') != std::string_view::npos) return true;
  if (v.front() == '.' || v.front() == '~') return true;
  for (std::string_view ext : {".pem", ".key", ".der", ".crt"}) {
    if (v.size() > ext.size() && v.substr(v.size() - ext.size()) == ext) return true;
  }
  return false;
}

// The password of "scheme://user:password@host/…" replaced; other text as is.
std::string without_url_password(const std::string& v) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t scheme = v.find("://", pos);
    if (scheme == std::string::npos) break;
    const std::size_t auth = scheme + 3;
    const std::size_t auth_end = v.find_first_of("/?# \t\r\n", auth);
    const std::size_t limit = auth_end == std::string::npos ? v.size() : auth_end;
    const std::size_t at = v.rfind('@', limit == 0 ? 0 : limit - 1);
    if (at != std::string::npos && at >= auth && at < limit) {
      const std::size_t colon = v.find(':', auth);
      if (colon != std::string::npos && colon < at && colon + 1 < at) {
        out.append(v, pos, colon + 1 - pos);
        out.append(kRedacted);
        pos = at;
        continue;
      }
    }
    out.append(v, pos, auth - pos);
    pos = auth;
  }
  out.append(v, pos, std::string::npos);
  return out;
}


class Renderer {
 public:
  explicit Renderer(std::string& out) : out_(out), w_(out) {}

  Result<void> value(const YAML::Node& node, int depth) {
    if (depth > kMaxDepth) return Error{"config nested deeper than " + std::to_string(kMaxDepth) + " levels"};
    if (out_.size() > kMaxOutputBytes || ++values_ > kMaxValues)
      return Error{"config too large to show (over 16 MiB or 200000 values; aliases?)"};
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        w_.null();
        return ok();
      case YAML::NodeType::Scalar:
        scalar(node);
        return ok();
      case YAML::NodeType::Sequence:
        w_.begin_array();
        for (const auto& element : node) {
          if (auto r = value(element, depth + 1); !r) return r;
        }
        w_.end_array();
        return ok();
      case YAML::NodeType::Map:
        w_.begin_object();
        for (const auto& entry : node) {
          if (auto r = member(entry.first, entry.second, depth); !r) return r;
        }
        w_.end_object();
        return ok();
    }
    w_.null();
    return ok();
  }

 private:
  Result<void> member(const YAML::Node& key, const YAML::Node& v, int depth) {
    if (!key.IsScalar()) {
      w_.key("(complex key)");
      redacted(v);
      return ok();
    }
    const std::string& name = key.Scalar();
    w_.key(name);
    const bool secret = is_secret_key(name) ||
                        (words_of(name) == std::vector<std::string>{"key"} &&
                         !(v.IsScalar() && (v.Scalar().empty() || looks_like_path(v.Scalar()))));
    if (secret) {
      redacted(v);
      return ok();
    }
    return value(v, depth + 1);
  }

  // A secret's place: "***", except that null and "" stay (they hide nothing).
  void redacted(const YAML::Node& v) {
    if (v.IsNull() || !v.IsDefined()) {
      w_.null();
    } else if (v.IsScalar() && v.Scalar().empty()) {
      w_.value(std::string_view());
    } else {
      w_.value(kRedacted);
    }
  }

  void scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    // yaml-cpp tags plain scalars "?", quoted ones "!": only plain ones are
    // numbers or booleans ("8080" quoted is the string "8080").
    if (node.Tag() == "?") {
      if (s == "true" || s == "True" || s == "TRUE") {
        w_.value(true);
        return;
      }
      if (s == "false" || s == "False" || s == "FALSE") {
        w_.value(false);
        return;
      }
      if (is_json_number(s)) {
        w_.raw(s);
        return;
      }
    }
    if (s.find("PRIVATE KEY-----") != std::string::npos) {
      w_.value(kRedacted);
      return;
    }
    if (s.find("://") != std::string::npos) {
      w_.value(without_url_password(s));
      return;
    }
    w_.value(s);
  }

  std::string& out_;
  JsonWriter w_;
  std::size_t values_ = 0;
};

}  // namespace

bool is_secret_key(std::string_view key_name) noexcept {
  try {
    const std::vector<std::string> words = words_of(key_name);
    if (words.empty()) return false;
    // A path to a secret is not the secret.
    if (one_of(words.back(), {"file", "files", "path", "paths", "dir", "directory"})) return false;
    for (std::size_t i = 0; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (one_of(w, {"password", "passwords", "passwd", "passphrase", "secret", "secrets", "token", "tokens", "psk",
                     "credential", "credentials", "apikey", "privatekey", "accesskey", "secretkey"}))
        return true;
      if ((w == "key" || w == "keys") && i > 0 &&
          one_of(words[i - 1], {"api", "private", "access", "signing", "auth", "shared", "encryption", "hmac"}))
        return true;
    }
    return false;
  } catch (const std::bad_alloc&) {
    return true;  // cannot tell: hide it
  }
}

Result<std::string> redacted_config_json(std::string_view yaml_text) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    std::string out;
    Renderer r(out);
    if (auto v = r.value(root, 0); !v) return v.error();
    return out;
  } catch (const YAML::Exception& e) {
    return Error{"cannot read YAML: " + e.msg};
  } catch (const std::bad_alloc&) {
    return Error{"out of memory while rendering config"};
  } catch (const std::exception& e) {
    return Error{std::string("cannot render config: ") + e.what()};
  }
}

}  // namespace opensoc::config

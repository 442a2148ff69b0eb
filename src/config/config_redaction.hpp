#pragma once
/// The running configuration for GET /api/v1/config: the config file's YAML
/// rendered as JSON with every secret value replaced by "***". Lives in the
/// config module because only this module sees YAML.
///
/// What counts as a secret (decided once, here):
///  - the value of a key whose name holds a secret word: password, passwd,
///    passphrase, secret, token, psk, credential(s), or one of the pairs
///    api key, private key, access key, secret key, signing key, auth key,
///    shared key, encryption key, hmac key (in any spelling: api_key, ApiKey,
///    api-key, apikey). The whole value goes, a mapping or list included.
///  - but NOT when the name ends in file, path, dir or directory
///    (key_file, password_file, tls_cert_path): a path tells where the secret
///    is, not what it is, and an operator needs to see it. The file's
///    contents never appear.
///  - a bare `key`: secret unless its value looks like a path (has a '/',
///    starts with '.' or '~', or ends in .pem/.key/.der/.crt) — this
///    project's `tls.key` is a path.
///  - any string holding a PEM private key ("PRIVATE KEY-----"), whatever
///    its key name;
///  - the password in a URL's user:password@ part (only that part goes).
/// null and "" are left as they are: they say "not set" and hide nothing.
///
/// Threading: pure functions; any thread.
#include <string>
#include <string_view>

#include "opensoc/core/result.hpp"

namespace opensoc::config {

/// True when a value under this key name is secret by its name alone
/// (the first two rules above; `key` alone is false here).
[[nodiscard]] bool is_secret_key(std::string_view key_name) noexcept;

/// The value that replaces a secret.
inline constexpr std::string_view kRedacted = "***";

/// The YAML document as one JSON value, secrets replaced. Plain scalars
/// become JSON numbers, true/false or null when they read as such (a JSON
/// number's grammar; true/false; null, ~ or empty), anything else a string;
/// quoted scalars are always strings. Keys are strings; a non-scalar key is
/// shown as "(complex key)" with its value redacted. Errors: YAML syntax,
/// nesting deeper than 64, or over 16 MiB of output or 200000 values
/// (alias bombs).
/// Never throws.
[[nodiscard]] Result<std::string> redacted_config_json(std::string_view yaml_text);

}  // namespace opensoc::config

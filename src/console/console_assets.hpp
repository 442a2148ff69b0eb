#pragma once
/// The web console's files, compiled into the binary at build time by
/// tools/embed_console.py (web/ → a generated console_assets.cpp). The
/// table is constant data: no allocation, no I/O, safe from any thread.
#include <span>
#include <string_view>

namespace opensoc::console {

/// One file of web/. Every view refers to static storage that lives as
/// long as the program.
struct ConsoleAsset {
  std::string_view path;          ///< URL path, e.g. "/console/assets/app.js"
  std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
  std::string_view body;          ///< the file's bytes, exactly
  /// The same bytes gzip-compressed (deterministic: mtime 0, level 9), or
  /// empty when compression would not make them smaller.
  std::string_view gzip_body;
  /// Strong entity tag of `body`, quoted: "\"" + 16 hex digits of SHA-256 + "\"".
  std::string_view etag;
};

/// Every asset, sorted by path (byte order), paths unique.
std::span<const ConsoleAsset> console_assets() noexcept;

/// The asset served at exactly this URL path, or nullptr. No normalisation:
/// "/console/assets/../index.html" is simply not a path in the table.
const ConsoleAsset* find_console_asset(std::string_view path) noexcept;

}  // namespace opensoc::console

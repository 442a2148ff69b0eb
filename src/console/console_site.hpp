#pragma once
/// The web console as HTTP: maps GET/HEAD of "/", "/console" and "/console/…"
/// onto the compiled-in assets (console_assets.hpp). Stateless and pure: runs
/// on the HTTP thread like every API handler, touches no file or socket.
#include "api/http_types.hpp"

namespace opensoc::console {

/// Answers one console request (the router sends GET and HEAD of "/",
/// "/console" and "/console/…" here; anything else gets 405):
///  - "/" and "/console": 302 to "/console/", keeping the query string;
///  - "/console/assets/…": that asset, or 404 (exact table lookup, so "..",
///    "//" and percent-encoded variants of them never reach another file);
///  - any other "/console/…": that file if the table has it, else index.html
///    (the single-page app routes on the client).
/// Assets carry Content-Type, a strong ETag, Cache-Control: no-cache (paths
/// are not content-hashed, so the browser revalidates) and the console's
/// security headers (CSP, nosniff, no referrer, no framing). If-None-Match
/// matching the ETag gives 304 without a body. A client accepting gzip gets
/// the precompressed copy when there is one, with Content-Encoding: gzip
/// and an ETag of its own ("…-gzip", a different representation); assets
/// with a gzip copy always say Vary: Accept-Encoding.
/// HEAD gets the GET response; the HTTP server drops the body and keeps its
/// Content-Length.
api::Response serve_console(const api::Request& request);

}  // namespace opensoc::console

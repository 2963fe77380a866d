// StaticFiles: serves the built web app (web/dist) for every path the API router does not know.
//
// - GET and HEAD only (405 otherwise); paths under /api/ are never files: they get the API's
//   404 JSON error, so a mistyped endpoint is not answered with HTML.
// - "/" and directory paths serve their index.html. A missing path whose last segment has no
//   extension ("/projects/7") serves the root index.html, so the single-page app can route it;
//   a missing "/assets/x.js" is a plain 404.
// - No path traversal: ".." and "." segments, backslashes and NUL bytes are rejected with 400,
//   and a file reached through a symlink must still lie under the root.
// - Content-Type from the extension. Files under /assets/ (the bundler's content-hashed output)
//   are cached for a year as immutable; everything else is `no-cache` with an ETag, so index.html
//   is revalidated (304 on If-None-Match) and always points at the current bundle.
// - Every file carries kWebContentSecurityPolicy: scripts, styles and connections only from the
//   server itself, no inline script, not framed by anyone (the server adds nosniff and the
//   referrer policy to every response).
#pragma once

#include <filesystem>
#include <string_view>

#include "tinydata/http/reply.h"
#include "tinydata/http/request.h"
#include "tinydata/http/router.h"

namespace tinydata::http {

inline constexpr std::string_view kWebContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

class StaticFiles {
 public:
  // `root` need not exist yet (the front end may be built later); requests then get 404.
  explicit StaticFiles(std::filesystem::path root);

  // Thread-safe.
  Response Serve(const Request& request) const;

  // A Handler for Router::SetFallback that shares this configuration.
  Handler AsHandler() const;

 private:
  Response ServeFile(const Request& request, const std::filesystem::path& file,
                     bool immutable) const;

  std::filesystem::path root_;
};

// The Content-Type for a file name's extension; application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

}  // namespace tinydata::http

#include "tinydata/http/static_files.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace tinydata::http {
namespace fs = std::filesystem;

namespace {

// Files up to this size are read whole; larger ones are streamed in pieces of this size.
constexpr uint64_t kStreamPieceBytes = 256 * 1024;

bool IsWithin(const fs::path& root, const fs::path& candidate) {
  auto r = root.begin();
  auto c = candidate.begin();
  for (; r != root.end(); ++r, ++c) {
    if (r->empty()) continue;  // a trailing separator on the root
    if (c == candidate.end() || *r != *c) return false;
  }
  return true;
}

Response NotFound(const Request& request) {
  return ErrorReply(beast_http::status::not_found, "not_found",
                    "no route for " + std::string(beast_http::to_string(request.method())) + " " +
                        request.path());
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(file_name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"wasm", "application/wasm"},
      {"xml", "application/xml"},
      {"pdf", "application/pdf"},
      {"mp3", "audio/mpeg"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
  };
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(fs::absolute(root_, ec), ec);
  if (!ec) root_ = std::move(canonical);
}

Handler StaticFiles::AsHandler() const {
  auto self = std::make_shared<const StaticFiles>(*this);
  return [self](Request& request) { return self->Serve(request); };
}

Response StaticFiles::Serve(const Request& request) const {
  const std::string& path = request.path();
  if (path == "/api" || path.rfind("/api/", 0) == 0) return NotFound(request);
  if (request.method() != beast_http::verb::get && request.method() != beast_http::verb::head) {
    Response response = ErrorReply(
        beast_http::status::method_not_allowed, "method_not_allowed",
        std::string(beast_http::to_string(request.method())) + " is not allowed on " + path +
            "; allowed: GET, HEAD");
    response.headers.set(beast_http::field::allow, "GET, HEAD");
    return response;
  }
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) {
    return ErrorReply(Status::InvalidArgument("path contains a forbidden character", "path"));
  }
  fs::path relative;
  size_t start = 1;
  std::string_view last_segment;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string_view segment = std::string_view(path).substr(start, slash - start);
    if (segment == ".." || segment == ".") {
      return ErrorReply(Status::InvalidArgument("path must not contain . or .. segments", "path"));
    }
    if (!segment.empty()) relative /= segment;
    last_segment = segment;
    start = slash + 1;
  }

  fs::path file = root_ / relative;
  std::error_code ec;
  if (fs::is_directory(file, ec)) file /= "index.html";
  const bool immutable = path.rfind("/assets/", 0) == 0;
  if (fs::is_regular_file(file, ec)) return ServeFile(request, file, immutable);
  if (last_segment.find('.') == std::string_view::npos) {
    fs::path index = root_ / "index.html";
    if (fs::is_regular_file(index, ec)) return ServeFile(request, index, false);
  }
  return NotFound(request);
}

Response StaticFiles::ServeFile(const Request& request, const fs::path& file,
                                bool immutable) const {
  std::error_code ec;
  const fs::path canonical = fs::canonical(file, ec);
  if (ec || !IsWithin(root_, canonical)) return NotFound(request);
  const uint64_t size = fs::file_size(canonical, ec);
  if (ec) return NotFound(request);
  const auto mtime = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::file_clock::to_sys(fs::last_write_time(canonical, ec))
                             .time_since_epoch())
                         .count();
  std::string etag = std::to_string(size);
  etag.append("-").append(std::to_string(mtime));
  etag.insert(etag.begin(), '"');
  etag.push_back('"');

  Response response;
  response.headers.set(beast_http::field::etag, etag);
  response.headers.set(beast_http::field::cache_control,
                       immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.set("Content-Security-Policy", std::string(kWebContentSecurityPolicy));
  if (request.header(beast_http::field::if_none_match) == etag) {
    response.status = beast_http::status::not_modified;
    return response;
  }
  response.headers.set(beast_http::field::content_type,
                       ContentTypeFor(canonical.filename().string()));

  auto in = std::make_shared<std::ifstream>(canonical, std::ios::binary);
  if (!*in) {
    return ErrorReply(Status::Unavailable("cannot open " + canonical.filename().string()));
  }
  if (size <= kStreamPieceBytes) {
    response.body.resize(size);
    in->read(response.body.data(), static_cast<std::streamsize>(size));
    if (in->gcount() != static_cast<std::streamsize>(size)) {
      return ErrorReply(Status::Unavailable("short read of " + canonical.filename().string()));
    }
    return response;
  }
  response.content_length = size;
  response.producer = [in, remaining = size](std::string& chunk, bool& done) mutable -> Status {
    const uint64_t n = std::min(remaining, kStreamPieceBytes);
    chunk.resize(n);
    in->read(chunk.data(), static_cast<std::streamsize>(n));
    if (in->gcount() != static_cast<std::streamsize>(n)) {
      return Status::Unavailable("file changed while it was being sent");
    }
    remaining -= n;
    done = remaining == 0;
    return Status::Ok();
  };
  return response;
}

}  // namespace tinydata::http

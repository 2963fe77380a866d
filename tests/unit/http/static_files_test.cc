#include "tinydata/http/static_files.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "support/http_client.h"
#include "tinydata/http/server.h"

namespace tinydata::http {
namespace {

namespace fs = std::filesystem;
using test::HttpClient;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A web/dist-like tree, served by a real server whose router knows one API route.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tinydata-static-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    WriteFile(root_ / "dist" / "index.html", "<!doctype html><title>tinydata</title>");
    WriteFile(root_ / "dist" / "assets" / "index-3f2a9c1b.js", "console.log(1)");
    WriteFile(root_ / "dist" / "favicon.svg", "<svg/>");
    WriteFile(root_ / "dist" / "big.bin", std::string(600 * 1024, 'z'));
    WriteFile(root_ / "secret.txt", "top secret");
    fs::create_symlink(root_ / "secret.txt", root_ / "dist" / "link.txt");

    Router router;
    router.Get("/api/v1/me", [](Request&) { return JsonReply({{"id", 1}}); });
    router.SetFallback(StaticFiles(root_ / "dist").AsHandler());
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.access_log = false;
    options.logger = std::make_shared<spdlog::logger>("quiet");
    server_ = std::make_unique<Server>(options, std::move(router));
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }
  HttpClient Client() { return HttpClient("127.0.0.1", server_->port()); }

  fs::path root_;
  std::unique_ptr<Server> server_;
};

TEST_F(StaticFilesTest, RootServesIndexHtml) {
  auto r = Client().Get("/");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->Header("Cache-Control"), "no-cache");
  EXPECT_EQ(r->body, "<!doctype html><title>tinydata</title>");
}

TEST_F(StaticFilesTest, HashedAssetIsImmutableWithItsContentType) {
  auto r = Client().Get("/assets/index-3f2a9c1b.js");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(r->Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r->body, "console.log(1)");
}

TEST_F(StaticFilesTest, SvgGetsItsContentType) {
  auto r = Client().Get("/favicon.svg");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Header("Content-Type"), "image/svg+xml");
}

TEST_F(StaticFilesTest, SpaRouteFallsBackToIndexHtml) {
  auto r = Client().Get("/projects/7/results");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>tinydata</title>");
}

TEST_F(StaticFilesTest, MissingAssetIs404NotIndexHtml) {
  auto r = Client().Get("/assets/missing.js");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
}

TEST_F(StaticFilesTest, UnknownApiPathIsJson404) {
  auto r = Client().Get("/api/v1/unknown");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Json()["error"]["code"], "not_found");
}

TEST_F(StaticFilesTest, ApiRoutesStillWin) {
  auto r = Client().Get("/api/v1/me");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Json()["id"], 1);
}

TEST_F(StaticFilesTest, DotDotSegmentIsRejected) {
  auto r = Client().Get("/../secret.txt");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body.find("top secret"), std::string::npos);
}

TEST_F(StaticFilesTest, EncodedDotDotIsRejected) {
  auto r = Client().Get("/assets/%2e%2e/%2e%2e/secret.txt");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST_F(StaticFilesTest, EncodedSlashTraversalIsRejected) {
  auto r = Client().Get("/..%2Fsecret.txt");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST_F(StaticFilesTest, SymlinkLeavingTheRootIsNotServed) {
  auto r = Client().Get("/link.txt");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
}

TEST_F(StaticFilesTest, MatchingEtagIs304) {
  HttpClient client = Client();
  auto first = client.Get("/favicon.svg");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string etag = first->Header("ETag");
  ASSERT_FALSE(etag.empty());
  auto second = client.Get("/favicon.svg", {{"If-None-Match", etag}});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, 304);
  EXPECT_EQ(second->body, "");
}

TEST_F(StaticFilesTest, LargeFileIsStreamedWithContentLength) {
  HttpClient client = Client();
  auto r = client.Get("/big.bin");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Header("Content-Length"), std::to_string(600 * 1024));
  EXPECT_EQ(r->body, std::string(600 * 1024, 'z'));
  EXPECT_TRUE(client.Get("/favicon.svg").ok());
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(StaticFilesTest, PostToAPageIs405) {
  auto r = Client().Post("/index.html", "x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, TheWebAppCarriesItsSecurityPolicy) {
  HttpClient client = Client();
  auto page = client.Get("/projects/7");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->Header("Content-Security-Policy"), kWebContentSecurityPolicy);
  EXPECT_NE(page->Header("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(page->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->Header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(page->Header("Cache-Control"), "no-cache") << "the page revalidates, the API never caches";
  auto api = client.Get("/api/v1/me");
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->Header("Cache-Control"), "no-store");
}

TEST(ContentTypeForTest, UnknownExtensionIsOctetStream) {
  EXPECT_EQ(ContentTypeFor("data.xyz"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("STYLE.CSS"), "text/css; charset=utf-8");
}

}  // namespace
}  // namespace tinydata::http

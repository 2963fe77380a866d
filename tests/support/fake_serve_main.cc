// A minimal stand-in for `tinydata serve`, used to test ServerProcess without the platform:
// `tinydata_fake_serve serve --listen HOST:PORT --database PATH` creates PATH, answers
// GET /healthz and GET /database, and exits 0 after a graceful shutdown on SIGTERM.
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "tinydata/http/reply.h"
#include "tinydata/http/router.h"
#include "tinydata/http/server.h"

int main(int argc, char** argv) {
  using namespace tinydata::http;
  ServerOptions options;
  options.threads = 1;
  options.shutdown_on_signals = true;
  std::string database;
  if (argc < 2 || std::string_view(argv[1]) != "serve") {
    std::fprintf(stderr, "usage: %s serve --listen HOST:PORT --database PATH\n", argv[0]);
    return 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--listen") {
      tinydata::Status status = ParseListenAddress(argv[i + 1], &options);
      if (!status.ok()) {
        std::fprintf(stderr, "%s\n", status.ToString().c_str());
        return 2;
      }
    } else if (flag == "--database") {
      database = argv[i + 1];
    }
  }
  std::ofstream(database, std::ios::app).flush();
  Router router;
  router.Get("/healthz", [](Request&) { return JsonReply({{"status", "ok"}}); });
  router.Get("/database", [database](Request&) { return JsonReply({{"path", database}}); });
  Server server(options, std::move(router));
  tinydata::Status status = server.Start();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  server.Wait();
  return 0;
}

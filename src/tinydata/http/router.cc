#include "tinydata/http/router.h"

#include <algorithm>
#include <atomic>
#include <cctype>

namespace tinydata::http {

struct Responder::State {
  explicit State(Deliver d) : deliver(std::move(d)) {}
  ~State() {
    if (!sent.exchange(true)) {
      deliver(ErrorReply(beast_http::status::internal_server_error, "internal",
                         "the handler finished without a response"));
    }
  }
  Deliver deliver;
  std::atomic<bool> sent{false};
};

Responder::Responder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void Responder::Send(Response response) const {
  if (state_->sent.exchange(true)) return;
  // Copies of a Responder may outlive the request (a completion callback the store keeps until
  // its next commit); the delivery function holds the connection, so let go of it now.
  Deliver deliver = std::move(state_->deliver);
  state_->deliver = nullptr;
  deliver(std::move(response));
}

AsyncHandler MakeAsync(Handler handler) {
  return [handler = std::move(handler)](Request& request, Responder responder) {
    responder.Send(handler(request));
  };
}

struct Router::Route {
  beast_http::verb method;
  std::string pattern;
  std::vector<std::string> param_names;  // in pattern order
  AsyncHandler handler;
  RouteOptions options;
  Handler sync_handler;  // empty for routes added with AddAsync
};

struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> int_param;
  std::unique_ptr<Node> any_param;
  std::vector<std::unique_ptr<Route>> routes;

  const Route* RouteFor(beast_http::verb method) const {
    for (const auto& r : routes) {
      if (r->method == method) return r.get();
    }
    if (method == beast_http::verb::head) return RouteFor(beast_http::verb::get);
    return nullptr;
  }
  const Node* Literal(std::string_view segment) const {
    for (const auto& [text, child] : literals) {
      if (text == segment) return child.get();
    }
    return nullptr;
  }
};

namespace {

bool IsParamName(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Splits "/a/b" into {"a", "b"}; "/" into {}. The caller checked the leading '/'.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.size() <= 1) return segments;
  size_t start = 1;
  while (true) {
    const size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.push_back(path.substr(start));
      return segments;
    }
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
}

Router& Router::Add(beast_http::verb method, std::string_view pattern, Handler handler,
                    RouteOptions options) {
  if (!handler) {
    Fail(Status::InvalidArgument("route \"" + std::string(pattern) + "\": handler is empty"));
    return *this;
  }
  Handler sync = handler;
  Register(method, pattern, MakeAsync(std::move(handler)), options, std::move(sync));
  return *this;
}

Router& Router::AddAsync(beast_http::verb method, std::string_view pattern, AsyncHandler handler,
                         RouteOptions options) {
  Register(method, pattern, std::move(handler), options, nullptr);
  return *this;
}

Router& Router::SetFallback(Handler handler, RouteOptions options) {
  Handler sync = handler;
  fallback_ = std::make_unique<Route>(Route{beast_http::verb::unknown, "*", {},
                                            MakeAsync(std::move(handler)), options,
                                            std::move(sync)});
  return *this;
}

void Router::Register(beast_http::verb method, std::string_view pattern, AsyncHandler handler,
                      RouteOptions options, Handler sync_handler) {
  const std::string where = "route \"" + std::string(pattern) + "\": ";
  if (pattern.empty() || pattern.front() != '/') {
    return Fail(Status::InvalidArgument(where + "pattern must start with '/'"));
  }
  if (!handler) return Fail(Status::InvalidArgument(where + "handler is empty"));
  auto route = std::make_unique<Route>();
  route->method = method;
  route->pattern = std::string(pattern);
  route->handler = std::move(handler);
  route->options = options;
  route->sync_handler = std::move(sync_handler);

  Node* node = root_.get();
  for (std::string_view segment : SplitPath(pattern)) {
    if (!segment.empty() && segment.front() == '{') {
      if (segment.back() != '}') {
        return Fail(Status::InvalidArgument(where + "unterminated parameter " +
                                            std::string(segment)));
      }
      std::string_view inner = segment.substr(1, segment.size() - 2);
      bool is_int = false;
      if (const size_t colon = inner.find(':'); colon != std::string_view::npos) {
        if (inner.substr(colon + 1) != "int") {
          return Fail(Status::InvalidArgument(where + "unknown parameter type in " +
                                              std::string(segment) + " (only :int exists)"));
        }
        is_int = true;
        inner = inner.substr(0, colon);
      }
      if (!IsParamName(inner)) {
        return Fail(Status::InvalidArgument(where + "bad parameter name in " +
                                            std::string(segment)));
      }
      if (std::find(route->param_names.begin(), route->param_names.end(), inner) !=
          route->param_names.end()) {
        return Fail(Status::InvalidArgument(where + "parameter " + std::string(inner) +
                                            " appears twice"));
      }
      route->param_names.emplace_back(inner);
      std::unique_ptr<Node>& child = is_int ? node->int_param : node->any_param;
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    } else {
      if (segment.find_first_of("{}") != std::string_view::npos) {
        return Fail(Status::InvalidArgument(where + "braces must enclose a whole segment"));
      }
      Node* next = const_cast<Node*>(node->Literal(segment));
      if (next == nullptr) {
        node->literals.emplace_back(std::string(segment), std::make_unique<Node>());
        next = node->literals.back().second.get();
      }
      node = next;
    }
  }
  for (const auto& existing : node->routes) {
    if (existing->method == method) {
      return Fail(Status::AlreadyExists(where + std::string(beast_http::to_string(method)) +
                                        " is already routed (as \"" + existing->pattern + "\")"));
    }
  }
  node->routes.push_back(std::move(route));
}

namespace {

struct Matcher {
  const std::vector<std::string>& segments;
  std::vector<size_t> bound;

  // Visits, in priority order, every node at which the whole path matches; stops as soon as
  // `visit` returns true and leaves `bound` describing that match.
  template <typename Node, typename Visit>
  bool Walk(const Node* node, size_t i, Visit& visit) {
    if (i == segments.size()) return !node->routes.empty() && visit(node);
    const std::string& segment = segments[i];
    if (const Node* literal = node->Literal(segment)) {
      if (Walk(literal, i + 1, visit)) return true;
    }
    if (segment.empty()) return false;
    for (const Node* param : {node->int_param.get(), node->any_param.get()}) {
      if (param == nullptr) continue;
      if (param == node->int_param.get() && !ParseInt64(segment)) continue;
      bound.push_back(i);
      if (Walk(param, i + 1, visit)) return true;
      bound.pop_back();
    }
    return false;
  }
};

void AppendMethod(std::vector<beast_http::verb>& methods, beast_http::verb m) {
  if (std::find(methods.begin(), methods.end(), m) == methods.end()) methods.push_back(m);
}

}  // namespace

Router::Resolution Router::Resolve(beast_http::verb method, std::string_view raw_path) const {
  Resolution result;
  if (raw_path.empty() || raw_path.front() != '/') {
    result.kind = Resolution::Kind::kBadPath;
    result.error = Status::InvalidArgument("request target must be an absolute path", "path");
    return result;
  }
  Result<std::string> decoded = PercentDecode(raw_path, false);
  if (!decoded.ok()) {
    result.kind = Resolution::Kind::kBadPath;
    result.error = Status::InvalidArgument(decoded.status().message(), "path");
    return result;
  }
  result.path = std::move(*decoded);

  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(raw_path)) {
    Result<std::string> segment = PercentDecode(raw, false);
    if (!segment.ok()) {
      result.kind = Resolution::Kind::kBadPath;
      result.error = Status::InvalidArgument(segment.status().message(), "path");
      return result;
    }
    segments.push_back(std::move(*segment));
  }

  Matcher matcher{segments, {}};
  const Route* found = nullptr;
  auto by_method = [&](const Node* node) {
    found = node->RouteFor(method);
    return found != nullptr;
  };
  if (matcher.Walk(root_.get(), 0, by_method)) {
    result.kind = Resolution::Kind::kRoute;
    result.handler = &found->handler;
    if (found->sync_handler) result.sync_handler = &found->sync_handler;
    result.max_body_bytes = found->options.max_body_bytes;
    if (found->options.admit) result.admit = &found->options.admit;
    result.params.reserve(matcher.bound.size());
    for (size_t k = 0; k < matcher.bound.size(); ++k) {
      result.params.emplace_back(found->param_names[k], std::move(segments[matcher.bound[k]]));
    }
    return result;
  }

  std::vector<beast_http::verb> methods;
  auto collect = [&](const Node* node) {
    for (const auto& r : node->routes) {
      AppendMethod(methods, r->method);
      if (r->method == beast_http::verb::get) AppendMethod(methods, beast_http::verb::head);
    }
    return false;
  };
  matcher.bound.clear();
  matcher.Walk(root_.get(), 0, collect);
  if (!methods.empty()) {
    AppendMethod(methods, beast_http::verb::options);
    std::sort(methods.begin(), methods.end(), [](beast_http::verb a, beast_http::verb b) {
      return beast_http::to_string(a) < beast_http::to_string(b);
    });
    for (beast_http::verb m : methods) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += beast_http::to_string(m);
    }
    result.kind = method == beast_http::verb::options ? Resolution::Kind::kOptions
                                                      : Resolution::Kind::kMethodNotAllowed;
    return result;
  }
  if (fallback_) {
    result.kind = Resolution::Kind::kFallback;
    result.handler = &fallback_->handler;
    result.sync_handler = &fallback_->sync_handler;
    result.max_body_bytes = fallback_->options.max_body_bytes;
    return result;
  }
  result.kind = Resolution::Kind::kNotFound;
  return result;
}

}  // namespace tinydata::http

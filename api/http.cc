#include "api/http.h"

#include <algorithm>

namespace strata::api {

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

void HttpResponse::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

void HttpResponse::set_text_error(int code, std::string_view message) {
  status = code;
  content_type = "text/plain; charset=utf-8";
  set_header("X-Content-Type-Options", "nosniff");
  body.assign(message);
  body.push_back('\n');
}

void Router::add(std::vector<std::string> methods, std::string path, Handler h, std::string name) {
  if (name.empty()) name = path;
  routes_.push_back({std::move(methods), std::move(path), false, std::move(h), std::move(name)});
}

void Router::add_prefix(std::vector<std::string> methods, std::string prefix, Handler h,
                        std::string name) {
  if (name.empty()) name = prefix;
  routes_.push_back({std::move(methods), std::move(prefix), true, std::move(h), std::move(name)});
}

void Router::add_options(std::string prefix, Handler h) {
  options_prefix_ = std::move(prefix);
  options_ = std::move(h);
}

void Router::set_body_limit(std::string_view path, uint64_t bytes) {
  for (Route& r : routes_) {
    if (r.path == path) r.body_limit = bytes;
  }
}

const Router::Route* Router::find(std::string_view method, std::string_view path,
                                  std::vector<std::string>* allowed, bool* path_known) const {
  const Route* best = nullptr;
  for (const Route& r : routes_) {
    bool path_ok = r.prefix ? path.starts_with(r.path) : path == r.path;
    if (!path_ok) continue;
    if (path_known) *path_known = true;
    bool method_ok = r.methods.empty() ||
                     std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end();
    if (!method_ok) {
      if (allowed) allowed->insert(allowed->end(), r.methods.begin(), r.methods.end());
      continue;
    }
    // Exact routes beat prefixes; longer prefixes beat shorter ones.
    if (!best || (best->prefix && (!r.prefix || r.path.size() > best->path.size()))) best = &r;
  }
  return best;
}

uint64_t Router::body_limit(std::string_view method, std::string_view path) const {
  const Route* r = find(method, path, nullptr, nullptr);
  return r ? r->body_limit : kDefaultBodyLimit;
}

std::string Router::route(const HttpRequest& req, HttpResponse& resp) const {
  bool under_options = options_ && req.path.compare(0, options_prefix_.size(), options_prefix_) == 0;
  if (under_options && req.method == "OPTIONS") {
    options_(req, resp);
    return "options";
  }
  std::vector<std::string> allowed;
  bool path_known = false;
  if (const Route* best = find(req.method, req.path, &allowed, &path_known)) {
    best->handler(req, resp);
    return best->name;
  }
  resp.content_type = "text/plain; charset=utf-8";
  if (path_known) {
    if (under_options) allowed.push_back("OPTIONS");
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    resp.status = 405;
    resp.set_header("Allow", allow);
    resp.body = "Method Not Allowed\n";
  } else {
    resp.status = 404;
    resp.body = "404 page not found\n";
  }
  return "other";
}

}  // namespace strata::api

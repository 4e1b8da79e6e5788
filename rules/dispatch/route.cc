#include "rules/dispatch/route.h"

#include <algorithm>

namespace strata::rules::dispatch {
namespace {

std::string matchers_string(const std::vector<tsdb::Matcher>& ms) {
  std::vector<std::string> parts;
  for (const auto& m : ms) parts.push_back(m.to_string());
  std::sort(parts.begin(), parts.end());
  std::string out = "{";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ",";
    out += parts[i];
  }
  return out + "}";
}

std::unique_ptr<RouteNode> build(const RouteConfig& c, const std::string& parent_key) {
  auto n = std::make_unique<RouteNode>();
  n->config = &c;
  n->key = parent_key.empty() ? matchers_string(c.matchers)
                              : parent_key + "/" + matchers_string(c.matchers);
  for (const auto& child : c.routes) n->children.push_back(build(child, n->key));
  return n;
}

void collect(const RouteNode& n, const tsdb::Labels& labels, std::vector<const RouteNode*>* out,
             bool* matched) {
  *matched = n.matches(labels);
  if (!*matched) return;
  size_t before = out->size();
  for (const auto& child : n.children) {
    bool child_matched = false;
    collect(*child, labels, out, &child_matched);
    if (child_matched && !child->config->continue_matching) break;
  }
  if (out->size() == before) out->push_back(&n);
}

}  // namespace

bool RouteNode::matches(const tsdb::Labels& labels) const {
  for (const auto& m : config->matchers) {
    if (!m.matches(labels.get(m.name()))) return false;
  }
  return true;
}

tsdb::Labels RouteNode::group_labels(const tsdb::Labels& labels) const {
  if (config->group_by_all) return labels;
  return labels.keep(config->group_by);
}

RoutingTree::RoutingTree(const RouteConfig& root) : root_(build(root, "")) {}

std::vector<const RouteNode*> RoutingTree::match(const tsdb::Labels& labels) const {
  std::vector<const RouteNode*> out;
  bool matched = false;
  collect(*root_, labels, &out, &matched);
  if (out.empty()) out.push_back(root_.get());  // the root has no matchers
  return out;
}

std::string group_key(const RouteNode& route, const tsdb::Labels& group_labels) {
  return route.key + ":" + group_labels.to_string();
}

}  // namespace strata::rules::dispatch

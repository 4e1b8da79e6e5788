#include "scrape/discovery/target_group.h"

#include <algorithm>
#include <cctype>

#include "nlohmann/json.hpp"
#include "tsdb/storage.h"
#include "yaml-cpp/yaml.h"

namespace strata::scrape {
namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s.remove_prefix(s.size() - suffix.size());
  return std::equal(s.begin(), s.end(), suffix.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// One group as read from either format, before the file's own label.
struct RawGroup {
  std::vector<std::string> targets;
  std::vector<tsdb::Label> labels;
};

absl::Status check_label_name(const std::string& name) {
  if (!tsdb::is_valid_label_name(name))
    return absl::InvalidArgumentError("\"" + name + "\" is not a valid label name");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RawGroup>> parse_json(std::string_view content) {
  nlohmann::json doc = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("invalid JSON");
  if (doc.is_null()) return std::vector<RawGroup>{};
  if (!doc.is_array()) return absl::InvalidArgumentError("json: cannot unmarshal " + std::string(doc.type_name()) + " into Go value of type []*targetgroup.Group");
  std::vector<RawGroup> out;
  for (const auto& g : doc) {
    if (g.is_null()) return absl::InvalidArgumentError("nil target group item found");
    if (!g.is_object()) return absl::InvalidArgumentError("json: cannot unmarshal " + std::string(g.type_name()) + " into Go value of type struct { Targets []string \"json:\\\"targets\\\"\"; Labels model.LabelSet \"json:\\\"labels\\\"\" }");
    RawGroup rg;
    if (auto t = g.find("targets"); t != g.end() && !t->is_null()) {
      if (!t->is_array()) return absl::InvalidArgumentError("json: cannot unmarshal " + std::string(t->type_name()) + " into Go struct field .targets of type []string");
      for (const auto& s : *t) {
        if (!s.is_string()) return absl::InvalidArgumentError("json: cannot unmarshal " + std::string(s.type_name()) + " into Go struct field .targets of type string");
        rg.targets.push_back(s.get<std::string>());
      }
    }
    if (auto l = g.find("labels"); l != g.end() && !l->is_null()) {
      if (!l->is_object()) return absl::InvalidArgumentError("json: cannot unmarshal " + std::string(l->type_name()) + " into Go struct field .labels of type model.LabelSet");
      for (const auto& [k, v] : l->items()) {
        if (absl::Status s = check_label_name(k); !s.ok()) return s;
        if (!v.is_string()) return absl::InvalidArgumentError("json: cannot unmarshal " + std::string(v.type_name()) + " into Go struct field .labels of type model.LabelValue");
        rg.labels.push_back({k, v.get<std::string>()});
      }
    }
    out.push_back(std::move(rg));
  }
  return out;
}

absl::StatusOr<std::vector<RawGroup>> parse_yaml(std::string_view content) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(content));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  std::vector<RawGroup> out;
  if (doc.IsNull()) return out;
  if (!doc.IsSequence()) return absl::InvalidArgumentError("yaml: unmarshal errors: cannot unmarshal into []*targetgroup.Group");
  try {
    for (const auto& g : doc) {
      if (g.IsNull()) return absl::InvalidArgumentError("nil target group item found");
      if (!g.IsMap()) return absl::InvalidArgumentError("yaml: unmarshal errors: cannot unmarshal into targetgroup.Group");
      RawGroup rg;
      for (const auto& kv : g) {
        std::string key = kv.first.as<std::string>();
        if (key == "targets") {
          if (kv.second.IsNull()) continue;
          if (!kv.second.IsSequence()) return absl::InvalidArgumentError("yaml: unmarshal errors: cannot unmarshal into []string");
          for (const auto& t : kv.second) rg.targets.push_back(t.as<std::string>());
        } else if (key == "labels") {
          if (kv.second.IsNull()) continue;
          if (!kv.second.IsMap()) return absl::InvalidArgumentError("yaml: unmarshal errors: cannot unmarshal into model.LabelSet");
          for (const auto& l : kv.second) {
            std::string name = l.first.as<std::string>();
            if (absl::Status s = check_label_name(name); !s.ok()) return s;
            rg.labels.push_back({name, l.second.IsNull() ? "" : l.second.as<std::string>()});
          }
        } else {
          return absl::InvalidArgumentError("yaml: unmarshal errors:\n  line " +
                                            std::to_string(kv.first.Mark().line + 1) + ": field " + key +
                                            " not found in type struct { Targets []string \"yaml:\\\"targets\\\"\"; Labels model.LabelSet \"yaml:\\\"labels\\\"\" }");
        }
      }
      out.push_back(std::move(rg));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError("yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return out;
}

}  // namespace

std::optional<GroupFileFormat> group_file_format(std::string_view path) {
  if (ends_with_ci(path, ".json")) return GroupFileFormat::kJson;
  if (ends_with_ci(path, ".yml") || ends_with_ci(path, ".yaml")) return GroupFileFormat::kYaml;
  return std::nullopt;
}

absl::StatusOr<std::vector<TargetGroup>> parse_target_groups(std::string_view content,
                                                            GroupFileFormat format,
                                                            const std::string& origin,
                                                            std::string_view origin_label) {
  auto raw = format == GroupFileFormat::kJson ? parse_json(content) : parse_yaml(content);
  if (!raw.ok()) return raw.status();
  std::vector<TargetGroup> out;
  out.reserve(raw->size());
  for (size_t i = 0; i < raw->size(); ++i) {
    RawGroup& rg = (*raw)[i];
    TargetGroup g;
    g.source = origin + ":" + std::to_string(i);
    // A later duplicate key wins, as when Go decodes into a map.
    std::vector<tsdb::Label> labels;
    for (auto& l : rg.labels) {
      auto it = std::find_if(labels.begin(), labels.end(), [&](const tsdb::Label& x) { return x.name == l.name; });
      if (it != labels.end()) {
        it->value = std::move(l.value);
      } else {
        labels.push_back(std::move(l));
      }
    }
    std::erase_if(labels, [&](const tsdb::Label& l) { return l.name == origin_label; });
    labels.push_back({std::string(origin_label), origin});
    g.labels = tsdb::Labels::from_unsorted(std::move(labels));
    for (auto& t : rg.targets) g.targets.push_back(tsdb::Labels({{"__address__", std::move(t)}}));
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace strata::scrape

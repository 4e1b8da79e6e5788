#include "tsdb/labels/relabel.h"

#include <re2/re2.h>

#include <array>
#include <utility>

#include "absl/strings/ascii.h"

namespace strata::tsdb::relabel {
namespace {

struct Named {
  Action action;
  const char* name;
};
constexpr std::array<Named, 11> kActions = {{
    {Action::kReplace, "replace"},
    {Action::kKeep, "keep"},
    {Action::kDrop, "drop"},
    {Action::kKeepEqual, "keepequal"},
    {Action::kDropEqual, "dropequal"},
    {Action::kHashMod, "hashmod"},
    {Action::kLabelMap, "labelmap"},
    {Action::kLabelDrop, "labeldrop"},
    {Action::kLabelKeep, "labelkeep"},
    {Action::kLowercase, "lowercase"},
    {Action::kUppercase, "uppercase"},
}};

}  // namespace

const char* action_name(Action a) {
  for (const Named& n : kActions)
    if (n.action == a) return n.name;
  return "replace";
}

std::optional<Action> parse_action(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  for (const Named& n : kActions)
    if (lower == n.name) return n.action;
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const re2::RE2>> compile_regex(const std::string& text) {
  auto re = std::make_shared<const re2::RE2>("^(?:" + text + ")$", re2::RE2::Quiet);
  if (!re->ok()) return absl::InvalidArgumentError("error parsing regexp: " + re->error());
  return std::shared_ptr<const re2::RE2>(std::move(re));
}

Config default_config() {
  Config c;
  c.regex = *compile_regex(c.regex_text);
  return c;
}

}  // namespace strata::tsdb::relabel

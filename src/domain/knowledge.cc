#include "domain/knowledge.h"

namespace bp {
namespace {
template <typename T, typename F>
const T* FindBy(const std::vector<T>& v, F key, std::string_view want) {
  for (const auto& x : v)
    if (key(x) == want) return &x;
  return nullptr;
}
}  // namespace

void KnowledgeBase::BuildIndex() {
  rule_index_.at.clear();
  reference_index_.at.clear();
  parameter_index_.at.clear();
  for (size_t i = 0; i < rules.size(); ++i) rule_index_.at.emplace(rules[i].id, i);
  for (size_t i = 0; i < parameters.size(); ++i) parameter_index_.at.emplace(parameters[i].name, i);
  for (size_t i = 0; i < bibliography.size(); ++i)
    reference_index_.at.emplace(bibliography[i].key, i);
}

const RuleDef* KnowledgeBase::FindRule(std::string_view id) const {
  if (!rule_index_.at.empty() && rule_index_.at.size() == rules.size()) {
    auto it = rule_index_.at.find(id);
    return it == rule_index_.at.end() ? nullptr : &rules[it->second];
  }
  return FindBy(
      rules, [](const RuleDef& r) -> const std::string& { return r.id; }, id);
}
const Reference* KnowledgeBase::FindReference(std::string_view key) const {
  if (!reference_index_.at.empty() && reference_index_.at.size() == bibliography.size()) {
    auto it = reference_index_.at.find(key);
    return it == reference_index_.at.end() ? nullptr : &bibliography[it->second];
  }
  return FindBy(
      bibliography, [](const Reference& r) -> const std::string& { return r.key; }, key);
}
const ParameterDef* KnowledgeBase::FindParameter(std::string_view name) const {
  if (!parameter_index_.at.empty() && parameter_index_.at.size() == parameters.size()) {
    auto it = parameter_index_.at.find(name);
    return it == parameter_index_.at.end() ? nullptr : &parameters[it->second];
  }
  return FindBy(
      parameters, [](const ParameterDef& p) -> const std::string& { return p.name; }, name);
}
const ProfileDef* KnowledgeBase::FindProfile(std::string_view name) const {
  return FindBy(
      profiles, [](const ProfileDef& p) -> const std::string& { return p.name; }, name);
}
const RegimenDef* KnowledgeBase::FindRegimen(std::string_view agent) const {
  return FindBy(
      regimens, [](const RegimenDef& r) -> const std::string& { return r.agent; }, agent);
}
const WarningDef* KnowledgeBase::FindWarning(std::string_view code) const {
  return FindBy(
      warnings, [](const WarningDef& w) -> const std::string& { return w.code; }, code);
}

std::optional<ParamValue> KnowledgeBase::Resolve(std::string_view profile,
                                                 std::string_view param) const {
  const ParameterDef* def = FindParameter(param);
  if (def == nullptr) return std::nullopt;
  if (const ProfileDef* p = FindProfile(profile)) {
    auto it = p->overrides.find(param);
    if (it != p->overrides.end()) return it->second;
  }
  return def->value;
}

}  // namespace bp

#include "rules/say.h"

#include <fmt/args.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

namespace bp::rules {

namespace {

// A value the code supplies, while a template is compiled: written as a marker (\x01, its index
// + 1, \x02) that Compile then cuts the formatted text at. Takes no format spec.
struct Slot {
  std::uint8_t index;
};
constexpr char kOpen = '\x01';
constexpr char kClose = '\x02';
constexpr std::size_t kMaxNames = 200;

// A parameter of the rule under the profile: `{name}`, `{name:cmp}` or `{name:desc}`.
struct ParamArg {
  const ParamValue* value;
  std::string_view unit;
  bool* said;  // set when the template says it
};

std::vector<SaySite>& Registry() {
  static auto* sites = new std::vector<SaySite>();  // never freed: read until exit
  return *sites;
}

}  // namespace
}  // namespace bp::rules

template <>
struct fmt::formatter<bp::rules::Slot> {
  constexpr auto parse(format_parse_context& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it != '}') throw format_error("a supplied value takes no format");
    return it;
  }
  auto format(const bp::rules::Slot& s, format_context& ctx) const -> decltype(ctx.out()) {
    const char marker[3] = {bp::rules::kOpen, static_cast<char>(s.index + 1), bp::rules::kClose};
    return std::copy(marker, marker + 3, ctx.out());
  }
};

template <>
struct fmt::formatter<bp::rules::ParamArg> {
  enum class Mode { kValue, kComparator, kDescription } mode = Mode::kValue;
  constexpr auto parse(format_parse_context& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    auto end = it;
    while (end != ctx.end() && *end != '}') ++end;
    const std::string_view spec(it, static_cast<std::size_t>(end - it));
    if (spec.empty())
      mode = Mode::kValue;
    else if (spec == "cmp")
      mode = Mode::kComparator;
    else if (spec == "desc")
      mode = Mode::kDescription;
    else
      throw format_error("a parameter is said as {name}, {name:cmp} or {name:desc}");
    return end;
  }
  auto format(const bp::rules::ParamArg& p, format_context& ctx) const -> decltype(ctx.out()) {
    *p.said = true;
    const bp::ParamValue& v = *p.value;
    std::string s;
    if (v.kind == bp::ParamValue::Kind::kText) {
      if (mode != Mode::kValue) throw format_error("a text parameter has no comparator or unit");
      s = v.text;
    } else if (v.kind == bp::ParamValue::Kind::kBool) {
      throw format_error("a switch parameter cannot be said in a sentence");
    } else {
      bp::Threshold t;
      t.value = v.number;
      t.cmp = v.cmp;
      if (mode != Mode::kValue && t.cmp == bp::Comparator::kNone)
        throw format_error("the parameter has no comparator to say");
      if (mode == Mode::kDescription) {
        s = t.Describe(p.unit);
      } else {
        char buf[bp::Threshold::kValueBuffer];
        if (mode == Mode::kComparator) s = t.Operator();
        s.append(buf, t.WriteValue(buf));
      }
    }
    return std::copy(s.begin(), s.end(), ctx.out());
  }
};

namespace bp::rules {

namespace say_detail {
Registration::Registration(std::string_view rule, std::string_view key,
                           std::initializer_list<std::string_view> names)
    : id(Registry().size()) {
  Registry().push_back({rule, key, std::vector<std::string_view>(names)});
}
}  // namespace say_detail

const std::vector<SaySite>& SaySites() { return Registry(); }

namespace {

const std::string* FindText(const RuleDef& r, std::string_view key) {
  for (const auto& [k, t] : r.texts)
    if (k == key) return &t;
  return nullptr;
}

// Whether `s` has neither '{' nor '}': two memchr scans (find_first_of with a set of two runs one
// per character of `s`).
bool NoBrace(std::string_view s) {
  return s.find('{') == std::string_view::npos && s.find('}') == std::string_view::npos;
}

// Whether `s` holds a byte below 0x20 (a control character), eight bytes at a time: every text
// is checked each time an engine is made.
bool HasControl(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if ((w - kOnes * 0x20) & ~w & kHigh) return true;  // some byte < 0x20
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) < 0x20) return true;
  return false;
}

}  // namespace

Sentences Sentences::Compile(const KnowledgeBase& kb, std::string_view profile,
                             std::span<const SaySite> sites, std::vector<std::string>& problems) {
  Sentences out;
  out.sites_.resize(sites.size());
  std::size_t total = 0;  // every text in the knowledge: about what the sites say
  for (const RuleDef& r : kb.rules)
    for (const auto& entry : r.texts) total += entry.second.size();
  out.text_.reserve(total + total / 8);  // parameters said can make a text longer
  out.pieces_.reserve(sites.size() + sites.size() / 2);
  // Appends a literal piece of site `id` (the texts are kept as offsets: text_ may still grow).
  auto add_piece = [&out](std::string_view piece, std::uint8_t slot) {
    out.pieces_.push_back({static_cast<std::uint32_t>(out.text_.size()),
                           static_cast<std::uint32_t>(piece.size()), slot});
    out.text_.append(piece);
  };
  for (std::size_t id = 0; id < sites.size(); ++id) {
    const SaySite& site = sites[id];
    auto where = [&site] {
      return std::string(site.rule) + " text '" + std::string(site.key) + "'";
    };
    const RuleDef* rule = kb.FindRule(site.rule);
    if (!rule) {
      problems.push_back(where() + ": the rule is not in the knowledge");
      continue;
    }
    const std::string* tpl = FindText(*rule, site.key);
    if (!tpl) {
      problems.push_back(where() + ": not among the rule's \"texts\"");
      continue;
    }
    if (HasControl(*tpl)) {
      problems.push_back(where() + ": a control character in the text");
      continue;
    }
    if (site.names.size() > kMaxNames) {
      problems.push_back(where() + ": too many supplied values");
      continue;
    }
    if (site.names.empty() && NoBrace(*tpl)) {
      // No placeholder, no brace and nothing supplied (most texts): the sentence is the
      // template, one piece. Compiled without {fmt}, the engine starts faster.
      out.sites_[id] = {static_cast<std::uint32_t>(out.pieces_.size()), 1};
      add_piece(*tpl, 0);
      continue;
    }
    fmt::dynamic_format_arg_store<fmt::format_context> store;
    const std::vector<std::string> names(site.names.begin(), site.names.end());  // for c_str()
    bool shadowed = false;
    for (std::size_t i = 0; i < names.size(); ++i) {
      store.push_back(fmt::arg(names[i].c_str(), Slot{static_cast<std::uint8_t>(i)}));
      if (std::find(rule->parameters.begin(), rule->parameters.end(), site.names[i]) !=
          rule->parameters.end()) {
        problems.push_back(where() + ": the supplied value '" + std::string(site.names[i]) +
                           "' has the name of one of the rule's parameters");
        shadowed = true;
      }
    }
    if (shadowed) continue;
    std::unique_ptr<bool[]> said(new bool[rule->parameters.size()]());
    std::string text;
    if (NoBrace(*tpl)) {
      // No placeholder and no brace: the text is the template (formatting would copy it). Most
      // texts are like this; compiling them this way keeps the engine's start-up short.
      text = *tpl;
    } else {
      // The rule's parameters this template names (resolved under the profile); a name the
      // template does not contain is never formatted, so it is not resolved.
      std::vector<ParamValue> values;
      values.reserve(rule->parameters.size());
      for (std::size_t i = 0; i < rule->parameters.size(); ++i) {
        const std::string& name = rule->parameters[i];
        if (tpl->find("{" + name) == std::string::npos) continue;
        const std::optional<ParamValue> v = kb.Resolve(profile, name);
        const ParameterDef* def = kb.FindParameter(name);
        if (!v || !def) continue;  // CheckKnowledge reports a parameter that does not exist
        values.push_back(*v);
        store.push_back(fmt::arg(name.c_str(), ParamArg{&values.back(), def->unit, &said[i]}));
      }
      try {
        text = fmt::vformat(*tpl, store);
      } catch (const fmt::format_error& e) {
        problems.push_back(where() + ": " + e.what() +
                           " (placeholders: the rule's parameters and the values the code "
                           "supplies)");
        continue;
      }
    }
    // Cut the formatted text at the markers of the supplied values. A marker is written only
    // by Slot's formatter (a template holds no control character).
    const Compiled c{static_cast<std::uint32_t>(out.pieces_.size()), 0};
    std::uint32_t count = 0;
    std::vector<bool> used(site.names.size(), false);
    std::string_view rest(text);
    bool marked = true;
    for (std::size_t k; (k = rest.find(kOpen)) != std::string_view::npos;) {
      const auto index = static_cast<std::uint8_t>(k + 2 < rest.size() ? rest[k + 1] - 1 : 0xFF);
      if (index >= used.size() || rest[k + 2] != kClose) {
        marked = false;  // a control character a text parameter brought in
        break;
      }
      add_piece(rest.substr(0, k), index);
      ++count;
      used[index] = true;
      rest.remove_prefix(k + 3);
    }
    if (!marked) {
      out.pieces_.resize(c.first);
      problems.push_back(where() + ": a control character in a parameter it says");
      continue;
    }
    add_piece(rest, 0);
    ++count;
    for (std::size_t i = 0; i < rule->parameters.size(); ++i)
      if (said[i]) out.said_.push_back({rule->id, rule->parameters[i]});
    for (std::size_t i = 0; i < used.size(); ++i)
      if (!used[i])
        problems.push_back(where() + ": the code supplies '" + std::string(site.names[i]) +
                           "' but the text does not say it");
    out.sites_[id] = {c.first, count};
  }
  return out;
}

std::vector<std::string> Sentences::Unsaid(const KnowledgeBase& kb,
                                           std::span<const SaySite> sites) {
  std::vector<std::string> problems;
  for (const RuleDef& r : kb.rules)
    for (const auto& entry : r.texts) {
      const std::string& key =
          entry.first;  // a reference, not a binding: clang 14 cannot capture one
      if (std::none_of(sites.begin(), sites.end(),
                       [&](const SaySite& s) { return s.rule == r.id && s.key == key; }))
        problems.push_back(r.id + " text '" + key + "' is not said by the code");
    }
  return problems;
}

std::string Sentences::Fill(std::size_t id, std::span<const std::string_view> values) const {
  if (id >= sites_.size() || sites_[id].count == 0) return {};  // Compile reported it
  const Compiled& c = sites_[id];
  const Piece* first = pieces_.data() + c.first;
  const Piece* last = first + (c.count - 1);
  std::size_t n = last->size;
  for (const Piece* p = first; p != last; ++p) n += p->size + values[p->slot].size();
  std::string s;
  s.reserve(n);
  for (const Piece* p = first; p != last; ++p) {
    s += PieceText(*p);
    s += values[p->slot];
  }
  s += PieceText(*last);
  return s;
}

}  // namespace bp::rules

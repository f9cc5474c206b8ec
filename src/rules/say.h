// The sentences the engine says, from templates kept in knowledge/. Each rule may carry `texts`
// (knowledge/rules/*.json): a key and a template whose placeholders are either
//   - a parameter the rule declares, filled from the profile the engine runs: `{za_crcl}` (the
//     number), `{za_crcl:cmp}` (with its comparator, "≥ 35"), `{za_crcl:desc}` (comparator,
//     number and the parameter's unit, "≥ 35 mL/min"); or
//   - a value the code supplies, named at the call site: `{dose}`.
// So a number in a sentence is the number the rule compared (the rule's declared parameters are
// exactly the ones its code reads: params.h, Read), and a reviewer reads every sentence in
// knowledge/ next to the rule's statement.
//
// A call site names the rule, the key and the values it supplies:
//   x.Say<"GIOP-01", "fired", "dose">(Num(*f.gc_dose_mg))
// and registers them when the program starts, so that `bonepath knowledge check` (and
// Engine::Create) can check every site against the knowledge without running it: the text
// exists, every placeholder is a declared parameter or a supplied value, every supplied value
// is used, and every text in knowledge/ is said somewhere.
//
// Templates are parsed by {fmt} once per engine (Sentences::Compile): the parameters are
// formatted into them and the rest is kept as literal pieces between the supplied values, so
// saying a sentence is concatenation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/knowledge.h"
#include "rules/params.h"

namespace bp::rules {

// One call site: the rule, the text's key and the names of the values the code supplies.
struct SaySite {
  std::string_view rule;
  std::string_view key;
  std::vector<std::string_view> names;
};

namespace say_detail {
struct Registration {
  Registration(std::string_view rule, std::string_view key,
               std::initializer_list<std::string_view> names);
  std::size_t id;  // index in SaySites()
};
template <RuleId Rule, RuleId Key, RuleId... Names>
inline const Registration kSite{Rule.view(), Key.view(), {Names.view()...}};
}  // namespace say_detail

// Every registered call site, in registration order (a site's id indexes it).
const std::vector<SaySite>& SaySites();

// One profile's sentences, compiled from the knowledge.
class Sentences {
 public:
  // Compiles every registered site's text under `profile`. Each problem (a missing text, an
  // unknown placeholder, a supplied value the text does not use, a template {fmt} cannot parse)
  // is appended to `problems` as "RULE text 'key': what".
  static Sentences Compile(const KnowledgeBase& kb, std::string_view profile,
                           std::vector<std::string>& problems) {
    return Compile(kb, profile, SaySites(), problems);
  }
  // The same for a given list of sites (a site's id is its index), for tests.
  static Sentences Compile(const KnowledgeBase& kb, std::string_view profile,
                           std::span<const SaySite> sites, std::vector<std::string>& problems);

  // The texts in knowledge/ that no call site says ("RULE text 'key' is not said by the code").
  static std::vector<std::string> Unsaid(const KnowledgeBase& kb) { return Unsaid(kb, SaySites()); }
  static std::vector<std::string> Unsaid(const KnowledgeBase& kb, std::span<const SaySite> sites);

  // The parameters the compiled texts say, by rule (views of `kb`'s strings): a parameter a rule
  // only states (a follow-up interval it advises, not a threshold it compares) is used by it.
  const std::vector<RuleParameterRead>& said() const { return said_; }

  // The sentence of site `id` with `values` (in the order the site names them).
  std::string Fill(std::size_t id, std::span<const std::string_view> values) const;

 private:
  // Every site's literal pieces are kept in one buffer (one allocation for all the texts the
  // engine says, which keeps its start-up short): a piece is a range of `text_`.
  struct Piece {
    std::uint32_t at = 0;
    std::uint32_t size = 0;
    std::uint8_t slot = 0;  // the supplied value that follows it (not for a site's last piece)
  };
  struct Compiled {
    std::uint32_t first = 0;  // index in pieces_
    std::uint32_t count = 0;  // pieces: one more than the supplied values said; 0: not compiled
  };
  std::string_view PieceText(const Piece& p) const { return {text_.data() + p.at, p.size}; }
  std::string text_;
  std::vector<Piece> pieces_;
  std::vector<Compiled> sites_;  // by site id
  std::vector<RuleParameterRead> said_;
};

}  // namespace bp::rules

// "One voice" checks of an assessment (issue 14, catalogue §6), shared by the vignette and
// generated-patient tests (one_voice_test.cc, course_property_test.cc):
//   - "Correct first" is shown only for what can be corrected (never for a creatinine clearance
//     below the label limit or a pregnancy);
//   - the infusion section does not repeat a check or a reason;
//   - the course decision never says both continue and stop;
//   - no warning suggests starting, giving or switching to an agent the decision avoids;
//   - no person-facing text has an item letter like "(g)", a verification mark ([V], [V2], [P],
//     [U]), a profile id, or an enum name (snake_case word).
#pragma once

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "domain/assessment.h"
#include "io/render.h"
#include "io/render_util.h"
#include "knowledge/loader.h"

namespace bp::one_voice {

// The person-facing texts of an assessment, each with where it is.
inline std::vector<std::pair<std::string, std::string>> Texts(const Assessment& a) {
  std::vector<std::pair<std::string, std::string>> out;
  auto statements = [&](const char* where, const auto& list) {
    for (const auto& s : list) out.emplace_back(where, s.text.str());
  };
  statements("treatment.reasons", a.treatment_reasons);
  statements("therapy.sequence", a.sequence);
  statements("infusion.reasons", a.za_reasons);
  statements("monitoring", a.monitoring);
  statements("adjuncts", a.adjuncts);
  statements("workup", a.workup);
  for (const auto& w : a.warnings) out.emplace_back("warning " + w.code.str(), w.text.str());
  for (const auto& r : a.referrals)
    for (const auto& s : r.reasons) out.emplace_back("referral", s.text.str());
  for (const auto& v : a.avoid) out.emplace_back("avoid", v.text.str());
  for (const auto& c : a.pre_infusion) out.emplace_back("pre_infusion", c.text.str());
  for (const auto& c : a.current) out.emplace_back("therapy.current", c.text);
  return out;
}

inline std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every contradiction and jargon finding of one assessment ("" when none).
inline std::string Problems(const Assessment& a) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  std::ostringstream out;
  // "Correct first" only for what can be corrected.
  for (const auto& c : a.pre_infusion)
    if (render::Label(c.status, c.check) == "Correct first" &&
        (c.check == PreCheckKind::kCreatinineClearance || c.check == PreCheckKind::kPregnancy))
      out << "\n  'Correct first' for " << ToString(c.check);
  const std::string text = RenderText(a, kb, /*color=*/false);
  for (const std::string& bad :
       {render::Label(PreCheckKind::kCreatinineClearance), render::Label(PreCheckKind::kPregnancy)})
    if (text.find("Correct first: " + bad) != std::string::npos)
      out << "\n  rendered 'Correct first: " << bad << "'";
  // The infusion section repeats nothing.
  for (std::size_t i = 0; i < a.pre_infusion.size(); ++i)
    for (std::size_t j = i + 1; j < a.pre_infusion.size(); ++j)
      if (a.pre_infusion[i].check == a.pre_infusion[j].check)
        out << "\n  pre-infusion check repeated: " << ToString(a.pre_infusion[i].check);
  for (std::size_t i = 0; i < a.za_reasons.size(); ++i)
    for (std::size_t j = i + 1; j < a.za_reasons.size(); ++j)
      if (a.za_reasons[i].text.view() == a.za_reasons[j].text.view())
        out << "\n  infusion reason repeated: " << a.za_reasons[i].text.view();
  // Continue and stop at once.
  bool cont = false, stop = false;
  for (const auto& s : a.sequence) {
    cont = cont || s.code == "course_continue";
    stop = stop || s.code == "course_stop";
  }
  if (cont && stop) out << "\n  the course decision says both continue and stop";
  // No warning suggests an avoided agent.
  for (const auto& v : a.avoid) {
    const std::string agent = Lower(render::Humanize(v.agent.view()));
    for (const auto& w : a.warnings) {
      const std::string t = Lower(w.text.str());
      for (const char* verb : {"start ", "give ", "switch to ", "consider ", "resume "})
        if (t.find(verb + agent) != std::string::npos)
          out << "\n  warning " << w.code.view() << " suggests avoided " << agent;
    }
  }
  // Jargon.
  static const std::regex kLetter(R"((^|: )\([a-z]\) )");
  static const std::regex kMark(R"(\[(V|V2|P|U)\])");
  static const std::regex kEnum(R"(\b[a-z0-9]+_[a-z0-9_]+\b)");
  for (const auto& [where, t] : Texts(a)) {
    if (std::regex_search(t, kLetter)) out << "\n  item letter in " << where << ": " << t;
    if (std::regex_search(t, kMark)) out << "\n  verification mark in " << where << ": " << t;
    std::smatch m;
    if (std::regex_search(t, m, kEnum))
      out << "\n  enum name '" << m[0] << "' in " << where << ": " << t;
    for (const auto& p : kb.profiles)
      if (t.find(p.name) != std::string::npos && p.name != p.title)
        out << "\n  profile id " << p.name << " in " << where << ": " << t;
  }
  return out.str();
}

}  // namespace bp::one_voice

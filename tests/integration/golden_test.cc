// Golden cases: every rule of the knowledge base, firing and not firing, on both sides of every
// threshold it uses. The cases are data (tests/cases/*.json, one file per topic); each is a JSON
// merge patch (RFC 7386) over the file's base patient record. Each case is read by the native
// reader exactly as the CLI reads a file, decided in-process by the engine under its profile, and
// checked against `expect`: the vignette keys of shared/spec/README.md plus the finer keys listed
// in ExpectationKeys(). An unknown key fails the case, so a misspelt expectation never passes
// vacuously. Cases marked "pending" (a disagreement with the engine, see
// tests/cases/DISAGREEMENTS.md) are skipped visibly. A case may set "overrides" (parameter name ->
// value, as a profile's overrides in knowledge/profiles.json): it runs under its profile with
// those parameters changed, for a choice no shipped profile makes (dmab_lapse_action). The
// CLI and scripts/outputs.sh run such a case under the shipped profiles only.
//
// A second test checks coverage: every expressible rule of the knowledge base (topic "fhir" aside,
// it has its own tests) must be expected "fired" by some case and not firing by another.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "domain/assessment.h"
#include "domain/enums.h"
#include "io/native_reader.h"
#include "knowledge/loader.h"
#include "one_voice.h"
#include "rules/engine.h"

namespace bp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path CasesDir() { return fs::path(BONEPATH_SOURCE_DIR) / "tests" / "cases"; }

struct GoldenCase {
  std::string file;   // "renal.json"
  std::string name;   // the case's name
  std::string gtest;  // unique test name
  json base;
  json spec;  // the case object
  std::string profile;
  std::string load_error;  // non-empty: the file itself is broken
};

std::string Sanitize(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (ok) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "case" : out;
}

std::vector<GoldenCase> LoadAllCases() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(CasesDir(), ec), end; !ec && it != end; it.increment(ec)) {
    // Files starting with '_' are not topics (_coverage.json).
    if (it->is_regular_file() && it->path().extension() == ".json" &&
        it->path().filename().string().front() != '_') {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<GoldenCase> out;
  std::set<std::string> used;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const json doc = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
    const std::string file = path.filename().string();
    const std::string stem = Sanitize(path.stem().string());
    if (!doc.is_object() || !doc.contains("base") || !doc.contains("cases") ||
        !doc["cases"].is_array()) {
      // Still one test, so a broken file fails instead of vanishing.
      GoldenCase broken;
      broken.file = file;
      broken.name = "(file)";
      broken.gtest = stem + "_unreadable";
      broken.load_error = "not a JSON object with 'base' and a 'cases' array";
      out.push_back(std::move(broken));
      continue;
    }
    const std::string file_profile = doc.value("profile", std::string("us-composite"));
    int index = 0;
    for (const auto& c : doc["cases"]) {
      GoldenCase g;
      g.file = file;
      g.base = doc["base"];
      g.spec = c;
      g.name = c.is_object() ? c.value("name", std::string()) : std::string();
      g.profile = c.is_object() ? c.value("profile", file_profile) : file_profile;
      if (!c.is_object() || g.name.empty()) g.load_error = "case without a name";
      std::string id = stem + "_" + std::to_string(index) + "_" + Sanitize(g.name);
      if (id.size() > 120) id.resize(120);
      while (used.count(id)) id += "_";
      used.insert(id);
      g.gtest = id;
      out.push_back(std::move(g));
      ++index;
    }
  }
  return out;
}

const std::vector<GoldenCase>& AllCases() {
  static const std::vector<GoldenCase> cases = LoadAllCases();
  return cases;
}

// The knowledge with one more profile: `profile` with `overrides` applied, named `name`.
// Returns null (and says why) when the profile or a parameter is unknown.
std::unique_ptr<KnowledgeBase> WithOverrides(const std::string& profile, const json& overrides,
                                             const std::string& name, std::string* error) {
  auto kb = std::make_unique<KnowledgeBase>(EmbeddedKnowledge());
  const auto base = std::find_if(kb->profiles.begin(), kb->profiles.end(),
                                 [&](const ProfileDef& p) { return p.name == profile; });
  if (base == kb->profiles.end()) {
    *error = "unknown profile";
    return nullptr;
  }
  ProfileDef p = *base;
  p.name = name;
  for (const auto& [param, value] : overrides.items()) {
    const ParameterDef* def = kb->FindParameter(param);
    if (def == nullptr) {
      *error = "overrides: unknown parameter " + param;
      return nullptr;
    }
    ParamValue v = def->value;
    if (value.is_number()) {
      v.number = value.get<double>();
    } else if (value.is_boolean()) {
      v.flag = value.get<bool>();
    } else if (value.is_string()) {
      v.text = value.get<std::string>();
    } else {
      *error = "overrides: " + param + " is not a number, a switch or a choice";
      return nullptr;
    }
    p.overrides[param] = v;
  }
  kb->profiles.push_back(std::move(p));
  return kb;
}

// One engine per profile (and set of overrides), created on first use; Assess is const and
// thread-safe.
const Engine* EngineFor(const std::string& profile, const json& overrides, std::string* error) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<KnowledgeBase>> knowledge;  // outlive the engines
  static std::map<std::string, std::unique_ptr<Engine>> engines;
  std::lock_guard<std::mutex> lock(mu);
  const std::string key = overrides.empty() ? profile : profile + "+" + overrides.dump();
  auto it = engines.find(key);
  if (it != engines.end()) return it->second.get();
  const KnowledgeBase* kb = &EmbeddedKnowledge();
  if (!overrides.empty()) {
    auto patched = WithOverrides(profile, overrides, key, error);
    if (patched == nullptr) return nullptr;
    kb = patched.get();
    knowledge.emplace(key, std::move(patched));
  }
  auto created = Engine::Create(*kb, key);
  if (!created) {
    *error = std::string(created.error().code.name()) + ": " + created.error().message;
    return nullptr;
  }
  auto e = std::make_unique<Engine>(std::move(created).value());
  const Engine* raw = e.get();
  engines.emplace(key, std::move(e));
  return raw;
}

// Reads the case's record as the CLI would and assesses it under the case's profile. Returns an
// error text when the record is invalid or the profile unknown.
std::string RunCase(const GoldenCase& g, Assessment* out) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  json record = g.base;
  if (g.spec.contains("patch")) record.merge_patch(g.spec["patch"]);
  std::vector<InputIssue> issues;
  auto patient = ReadNativePatient(record.dump(), kb, &issues);
  if (!patient) {
    std::string errs = "the patient record is invalid:";
    for (const auto& e : patient.errors()) errs += "\n  " + e.path + ": " + e.message;
    return errs + "\nrecord: " + record.dump();
  }
  if (!patient->as_of) return "the base record needs as_of";
  std::string engine_error;
  const Engine* engine =
      EngineFor(g.profile, g.spec.value("overrides", json::object()), &engine_error);
  if (engine == nullptr) return "profile " + g.profile + ": " + engine_error;
  *out = engine->Assess(*patient, *patient->as_of);
  return "";
}

const std::set<std::string>& ExpectationKeys() {
  static const std::set<std::string> keys = {"treatment_indicated",
                                             "risk_tier",
                                             "therapy_recommended",
                                             "zoledronic_acid_status",
                                             "referrals_include",
                                             "referrals_exclude",
                                             "warnings_include",
                                             "warnings_exclude",
                                             "avoid_include",
                                             "avoid_exclude",
                                             "trace",
                                             "missing_include",
                                             "pre_infusion",
                                             "warning_severity",
                                             "crcl_between",
                                             "says",
                                             "says_not",
                                             "sequence_rules"};
  return keys;
}

const std::set<std::string>& CaseKeys() {
  static const std::set<std::string> keys = {"name",    "rule",     "threshold", "side",
                                             "profile", "patch",    "expect",    "pending",
                                             "comment", "overrides"};
  return keys;
}

std::string TraceLines(const Assessment& a, const std::set<std::string>& rules) {
  std::string s;
  for (const auto& t : a.trace) {
    if (!rules.empty() && !rules.count(t.rule)) continue;
    s += "    " + t.rule + ": " + std::string(ToString(t.outcome));
    if (!t.because.empty()) s += " (" + t.because + ")";
    s += "\n";
  }
  return s.empty() ? "    (no trace entry)\n" : s;
}

std::string Summary(const Assessment& a) {
  std::string s = "  decision: indicated=";
  s += a.treatment_indicated ? (*a.treatment_indicated ? "true" : "false") : "null";
  s += " tier=" + std::string(ToString(a.risk_tier));
  s += " therapy=" + std::string(ToString(a.therapy_recommended));
  s += " za=" + std::string(ToString(a.za_status));
  if (a.derived.crcl_ml_min) s += " crcl=" + std::to_string(*a.derived.crcl_ml_min);
  if (a.derived.egfr_ml_min_1_73m2) s += " egfr=" + std::to_string(*a.derived.egfr_ml_min_1_73m2);
  s += "\n  referrals:";
  for (const auto& r : a.referrals)
    s += " " + std::string(ToString(r.to)) + "/" + std::string(ToString(r.urgency));
  s += "\n  warnings:";
  for (const auto& w : a.warnings) s += " " + w.code + "/" + std::string(ToString(w.severity));
  s += "\n  avoid:";
  for (const auto& x : a.avoid) s += " " + x.agent;
  s += "\n  missing:";
  for (const auto& m : a.missing_data) s += " " + m.field + ";";
  s += "\n  reasons:";
  for (const auto& r : a.treatment_reasons) s += "\n    - " + r.text;
  s += "\n";
  return s;
}

// gtest prints a failing parameter; the name is what a reader needs, not the JSON.
void PrintTo(const GoldenCase& g, std::ostream* os) { *os << g.file << " / " << g.name; }

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, MeetsExpectations) {
  const GoldenCase& g = GetParam();
  const std::string where = g.file + " / \"" + g.name + "\"";
  ASSERT_TRUE(g.load_error.empty()) << where << ": " << g.load_error;
  for (const auto& [key, value] : g.spec.items()) {
    EXPECT_TRUE(CaseKeys().count(key)) << where << ": unknown case key '" << key << "'";
  }
  if (g.spec.contains("pending")) {
    GTEST_SKIP() << where
                 << " is pending (see tests/cases/DISAGREEMENTS.md): " << g.spec["pending"].dump();
  }
  const KnowledgeBase& kb = EmbeddedKnowledge();
  if (g.spec.contains("rule")) {
    EXPECT_NE(kb.FindRule(g.spec["rule"].get<std::string>()), nullptr)
        << where << ": rule " << g.spec["rule"] << " is not in the knowledge base";
  }
  if (g.spec.contains("threshold")) {
    EXPECT_NE(kb.FindParameter(g.spec["threshold"].get<std::string>()), nullptr)
        << where << ": threshold " << g.spec["threshold"] << " is not a parameter";
  }

  Assessment a;
  const std::string error = RunCase(g, &a);
  ASSERT_TRUE(error.empty()) << where << ": " << error;

  const json expect = g.spec.value("expect", json::object());
  EXPECT_FALSE(expect.empty()) << where << ": a case must expect something";
  std::set<std::string> focus;
  if (g.spec.contains("rule")) focus.insert(g.spec["rule"].get<std::string>());
  if (expect.contains("trace")) {
    for (const auto& [rule, outcome] : expect["trace"].items()) focus.insert(rule);
  }
  const std::string context = "\n" + where + " (profile " + g.profile + ")\n" + Summary(a) +
                              "  trace of the rules in question:\n" + TraceLines(a, focus);

  // An expected value is one value or a list of accepted values (as in the shared vignettes).
  auto Accepts = [](const json& w, const json& got) {
    if (!w.is_array()) return got == w;
    for (const auto& x : w)
      if (got == x) return true;
    return false;
  };
  auto tri = [](const std::optional<bool>& b) -> json { return b ? json(*b) : json(nullptr); };
  for (const auto& [key, want] : expect.items()) {
    SCOPED_TRACE("expect." + key);
    if (!ExpectationKeys().count(key)) {
      ADD_FAILURE() << where << ": unknown expect key '" << key << "'";
    } else if (key == "treatment_indicated") {
      EXPECT_TRUE(Accepts(want, tri(a.treatment_indicated)))
          << "treatment_indicated differs" << context;
    } else if (key == "risk_tier") {
      EXPECT_TRUE(Accepts(want, json(std::string(ToString(a.risk_tier)))))
          << "risk_tier differs" << context;
    } else if (key == "therapy_recommended") {
      EXPECT_TRUE(Accepts(want, json(std::string(ToString(a.therapy_recommended)))))
          << "therapy_recommended differs" << context;
    } else if (key == "zoledronic_acid_status") {
      std::string checks;
      for (const auto& k : a.pre_infusion)
        checks += "    " + std::string(ToString(k.check)) + ": " + std::string(ToString(k.status)) +
                  " " + k.text + "\n";
      EXPECT_TRUE(Accepts(want, json(std::string(ToString(a.za_status)))))
          << "zoledronic_acid_status differs" << context << "  pre-infusion:\n"
          << checks;
    } else if (key == "referrals_include") {
      for (const auto& ref : want) {
        const std::string to = ref.at("to");
        const auto dest = Parse<Destination>(to);
        ASSERT_TRUE(dest.has_value()) << where << ": unknown destination " << to;
        const Referral* got = a.FindReferral(*dest);
        EXPECT_NE(got, nullptr) << "no referral to " << to << context;
        if (got != nullptr && ref.contains("urgency")) {
          EXPECT_EQ(std::string(ToString(got->urgency)), ref["urgency"].get<std::string>())
              << "urgency of the referral to " << to << context;
        }
      }
    } else if (key == "referrals_exclude") {
      for (const auto& to : want) {
        const auto dest = Parse<Destination>(to.get<std::string>());
        ASSERT_TRUE(dest.has_value()) << where << ": unknown destination " << to;
        EXPECT_EQ(a.FindReferral(*dest), nullptr) << "unexpected referral to " << to << context;
      }
    } else if (key == "warnings_include") {
      for (const auto& code : want) {
        EXPECT_NE(kb.FindWarning(code.get<std::string>()), nullptr)
            << where << ": warning code " << code << " is not in knowledge/warnings.json";
        EXPECT_TRUE(a.HasWarning(code.get<std::string>())) << "missing warning " << code << context;
      }
    } else if (key == "warnings_exclude") {
      for (const auto& code : want) {
        EXPECT_NE(kb.FindWarning(code.get<std::string>()), nullptr)
            << where << ": warning code " << code << " is not in knowledge/warnings.json";
        EXPECT_FALSE(a.HasWarning(code.get<std::string>()))
            << "unexpected warning " << code << context;
      }
    } else if (key == "warning_severity") {
      for (const auto& [code, sev] : want.items()) {
        const Warning* w = nullptr;
        for (const auto& x : a.warnings)
          if (x.code == code) w = &x;
        EXPECT_NE(w, nullptr) << "missing warning " << code << context;
        if (w != nullptr) {
          EXPECT_EQ(std::string(ToString(w->severity)), sev.get<std::string>())
              << "severity of " << code << context;
        }
      }
    } else if (key == "avoid_include" || key == "avoid_exclude") {
      const bool include = key == "avoid_include";
      for (const auto& agent : want) {
        const bool found = std::any_of(a.avoid.begin(), a.avoid.end(), [&](const Avoid& x) {
          return x.agent == agent.get<std::string>();
        });
        EXPECT_EQ(found, include) << agent << (include ? " not in" : " unexpectedly in")
                                  << " therapy.avoid" << context;
      }
    } else if (key == "trace") {
      for (const auto& [rule, outcome] : want.items()) {
        EXPECT_NE(kb.FindRule(rule), nullptr) << where << ": rule " << rule << " is not known";
        const std::string o = outcome.get<std::string>();
        EXPECT_TRUE(o == "fired" || o == "not_fired" || o == "insufficient_data")
            << where << ": bad outcome " << o;
        const bool match = std::any_of(a.trace.begin(), a.trace.end(), [&](const TraceEntry& t) {
          return t.rule == rule && ToString(t.outcome) == o;
        });
        EXPECT_TRUE(match) << "trace: " << rule << " expected " << o << "; entries:\n"
                           << TraceLines(a, {rule}) << context;
      }
    } else if (key == "missing_include") {
      for (const auto& part : want) {
        const bool found =
            std::any_of(a.missing_data.begin(), a.missing_data.end(), [&](const MissingData& m) {
              return m.field.find(part.get<std::string>()) != std::string::npos;
            });
        EXPECT_TRUE(found) << "missing_data has no field containing " << part << context;
      }
    } else if (key == "pre_infusion") {
      for (const auto& [check, status] : want.items()) {
        const auto kind = Parse<PreCheckKind>(check);
        ASSERT_TRUE(kind.has_value()) << where << ": unknown pre-infusion check " << check;
        const PreCheck* got = nullptr;
        for (const auto& k : a.pre_infusion)
          if (k.check == *kind) got = &k;
        EXPECT_NE(got, nullptr) << "no pre-infusion check " << check << context;
        if (got != nullptr) {
          EXPECT_EQ(std::string(ToString(got->status)), status.get<std::string>())
              << "pre-infusion " << check << ": " << got->text << context;
        }
      }
    } else if (key == "says" || key == "says_not") {
      // A text the assessment says (or never says) somewhere a person reads it or in the
      // trace: warnings, referral reasons, statements, avoid entries, infusion checks, courses.
      std::vector<std::pair<std::string, std::string>> texts = one_voice::Texts(a);
      for (const auto& t : a.trace) texts.emplace_back("trace " + t.rule, t.because);
      for (const auto& part : want) {
        const std::string w = part.get<std::string>();
        std::string where_said;
        for (const auto& [at, t] : texts)
          if (t.find(w) != std::string::npos) where_said = at + ": " + t;
        if (key == "says") {
          std::string all;
          for (const auto& [at, t] : texts) all += "    " + at + ": " + t + "\n";
          EXPECT_FALSE(where_said.empty()) << "never said: " << w << context << "  texts:\n" << all;
        } else {
          EXPECT_TRUE(where_said.empty()) << "said: " << w << " (" << where_said << ")" << context;
        }
      }
    } else if (key == "sequence_rules") {
      // A sequence statement (by its code) that names every one of these rule ids.
      for (const auto& [code, ids] : want.items()) {
        std::string seen;
        bool found = false;
        for (const auto& st : a.sequence) {
          if (st.code != code) continue;
          bool all = true;
          for (const auto& id : ids)
            all = all && std::find(st.rules.begin(), st.rules.end(), id.get<std::string>()) !=
                             st.rules.end();
          found = found || all;
          for (auto r : st.rules) seen += " " + std::string(r);
          seen += ";";
        }
        EXPECT_TRUE(found) << "no " << code << " statement names " << ids.dump()
                           << " (statements' rules:" << seen << ")" << context;
      }
    } else if (key == "crcl_between") {
      ASSERT_TRUE(want.is_array() && want.size() == 2) << where << ": crcl_between is [lo, hi]";
      EXPECT_TRUE(a.derived.crcl_ml_min.has_value()) << "no CrCl" << context;
      if (a.derived.crcl_ml_min) {
        EXPECT_GE(*a.derived.crcl_ml_min, want[0].get<double>()) << "CrCl too low" << context;
        EXPECT_LE(*a.derived.crcl_ml_min, want[1].get<double>()) << "CrCl too high" << context;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.gtest;
                         });

// Guards discovery: an empty or misplaced folder would otherwise pass vacuously.
TEST(GoldenCoverage, FindsTheCases) {
  EXPECT_GE(AllCases().size(), 250u) << "looked in " << CasesDir();
}

// Every expressible rule (topic "fhir" aside) must be expected to fire in one case and not to
// fire in another (not_fired or insufficient_data), through a case's trace expectations; and
// every such rule must be some case's `rule`. Pending cases do not count.
//
// tests/cases/_coverage.json lists the exceptions the engine makes unavoidable, each with why:
// "always_fired" rules (fired in every assessment), "never_fired" rules (no shipped profile can
// make them fire) and "never_traced" rules. Each exception is
// verified against every case, so it cannot outlive the engine behaviour that justified it.
TEST(GoldenCoverage, EveryExpressibleRuleFiresAndDoesNotFire) {
  json exceptions = json::object();
  {
    std::ifstream in(CasesDir() / "_coverage.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    exceptions = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(exceptions.is_object()) << "tests/cases/_coverage.json is not a JSON object";
  }
  const json always = exceptions.value("always_fired", json::object());
  const json never_fired = exceptions.value("never_fired", json::object());
  const json never = exceptions.value("never_traced", json::object());

  std::map<std::string, std::set<std::string>> expected;  // rule -> "fired" / "not_fired"
  std::map<std::string, std::set<std::string>> observed;  // rule -> outcomes in real traces
  std::set<std::string> named;                            // rules in a `rule` field
  for (const auto& g : AllCases()) {
    if (!g.load_error.empty() || g.spec.contains("pending")) continue;
    if (g.spec.contains("rule")) named.insert(g.spec["rule"].get<std::string>());
    const json expect = g.spec.value("expect", json::object());
    if (expect.contains("trace")) {
      for (const auto& [rule, outcome] : expect["trace"].items()) {
        const std::string o = outcome.get<std::string>();
        expected[rule].insert(o == "fired" ? "fired" : "not_fired");
      }
    }
    Assessment a;
    if (!RunCase(g, &a).empty()) continue;  // reported by the case's own test
    for (const auto& t : a.trace) observed[t.rule].insert(std::string(ToString(t.outcome)));
  }

  std::vector<std::string> no_fired, no_not_fired, unnamed;
  for (const auto& r : EmbeddedKnowledge().rules) {
    if (!r.expressible || r.topic == "fhir") continue;
    if (never.contains(r.id)) {
      EXPECT_FALSE(observed.count(r.id))
          << r.id << " is listed as never traced in _coverage.json but appears in a trace: "
          << "write cases for it and remove the exception";
      continue;
    }
    if (!named.count(r.id)) unnamed.push_back(r.id);
    if (never_fired.contains(r.id)) {
      EXPECT_FALSE(observed[r.id].count("fired"))
          << r.id << " is listed as never fired in _coverage.json but fired in a case: "
          << "write a firing case and remove the exception";
    } else if (!expected[r.id].count("fired")) {
      no_fired.push_back(r.id);
    }
    if (always.contains(r.id)) {
      const auto& o = observed[r.id];
      EXPECT_TRUE(o.size() == 1 && o.count("fired"))
          << r.id << " is listed as always fired in _coverage.json but its outcomes were not "
          << "only 'fired': write a not-firing case and remove the exception";
      continue;
    }
    if (!expected[r.id].count("not_fired")) no_not_fired.push_back(r.id);
  }
  for (const auto& [id, why] : always.items()) {
    EXPECT_NE(EmbeddedKnowledge().FindRule(id), nullptr) << "_coverage.json: unknown rule " << id;
  }
  for (const auto& [id, why] : never_fired.items()) {
    EXPECT_NE(EmbeddedKnowledge().FindRule(id), nullptr) << "_coverage.json: unknown rule " << id;
  }
  for (const auto& [id, why] : never.items()) {
    EXPECT_NE(EmbeddedKnowledge().FindRule(id), nullptr) << "_coverage.json: unknown rule " << id;
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  EXPECT_TRUE(no_fired.empty()) << "rules no case expects to fire: " << list(no_fired);
  EXPECT_TRUE(no_not_fired.empty()) << "rules no case expects not to fire: " << list(no_not_fired);
  EXPECT_TRUE(unnamed.empty()) << "rules no case names in its `rule` field: " << list(unnamed);
}

}  // namespace
}  // namespace bp

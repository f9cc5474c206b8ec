// Properties of the decision engine over 10,000+ generated patients (fixed seed, so a failure
// reproduces; the failing patient's index and a summary are printed). Each property states a
// clinical invariant that must hold for every patient, whatever the thresholds of the profile:
//   (a) lowering creatinine clearance (higher creatinine or lower weight) never makes zoledronic
//       acid more available;
//   (b) adding a fragility fracture never lowers the risk tier;
//   (c) lowering a T-score never lowers the risk tier;
//   (d) every rule id the assessment names exists in the knowledge base, and every statement,
//       warning and avoid entry names at least one rule;
//   (e) risk_tier indeterminate <=> treatment.indicated null;
//   (f) treatment not indicated => therapy none and zoledronic acid not_indicated;
//   (g) the JSON output validates against assessment.schema.json (a sample of 500).
// The engine runs in-process (no process per patient) so the 10,000 stay fast under ASan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "assessment_schema.h"
#include "common/date.h"
#include "domain/assessment.h"
#include "domain/enums.h"
#include "domain/patient.h"
#include "io/assessment_json.h"
#include "io/patient_json.h"
#include "knowledge/loader.h"
#include "rules/engine.h"
#include "support/property_size.h"

namespace bp {
namespace {

constexpr int kDefaultPatients = 10000;
constexpr int kSchemaSample = 500;
constexpr unsigned kSeed = 20261123;
const Date kAsOf = Date::FromYmd(2026, 3, 1);

// How available zoledronic acid is, for property (a). Only the two statuses under which an
// infusion can be planned are ordered above the rest: eligible (every check passes) above
// eligible_after_correction (a correctable failure). insufficient_data sits above the statuses
// that rule the infusion out, because obtaining the missing data could still make it possible,
// whereas contraindicated, deferred and not_indicated cannot be changed by a lab draw. Lowering
// CrCl may move a patient down this order or leave them where they are, never up.
int ZaAvailability(ZaStatus s) {
  switch (s) {
    case ZaStatus::kEligible:
      return 3;
    case ZaStatus::kEligibleAfterCorrection:
      return 2;
    case ZaStatus::kInsufficientData:
      return 1;
    case ZaStatus::kContraindicated:
    case ZaStatus::kDeferred:
    case ZaStatus::kNotIndicated:
      return 0;
  }
  return -1;
}

// Risk order for (b) and (c); indeterminate is not on the scale (a specialist decides) and such
// pairs are not compared.
int TierRank(RiskTier t) {
  switch (t) {
    case RiskTier::kNotIndicated:
      return 0;
    case RiskTier::kHigh:
      return 1;
    case RiskTier::kVeryHigh:
      return 2;
    case RiskTier::kIndeterminate:
      return -1;
  }
  return -1;
}

template <typename E>
E Pick(std::mt19937& rng, std::initializer_list<E> options) {
  std::uniform_int_distribution<size_t> d(0, options.size() - 1);
  return *(options.begin() + d(rng));
}

double Uniform(std::mt19937& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
int UniformInt(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool Chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

Date DaysAgo(int days) { return kAsOf.AddDays(-days); }

Lab MakeLab(LabTest test, double value, int days_ago) {
  Lab l;
  l.test = test;
  l.value = value;
  l.date = DaysAgo(days_ago);
  return l;
}

// Days since a lab was drawn: within `window` days four times in five, else up to a year.
int LabAge(std::mt19937& rng, int window) {
  return Chance(rng, 0.8) ? UniformInt(rng, 0, window) : UniformInt(rng, window + 1, 365);
}

Fracture FragilityFracture(std::mt19937& rng) {
  Fracture f;
  f.site = Pick(
      rng, {FractureSite::kHip, FractureSite::kVertebral, FractureSite::kWrist,
            FractureSite::kForearm, FractureSite::kHumerus, FractureSite::kPelvis,
            FractureSite::kRib, FractureSite::kFemur, FractureSite::kAnkle, FractureSite::kOther});
  if (f.site == FractureSite::kVertebral) {
    f.vertebral_level = Pick(rng, {"T8", "T11", "T12", "L1", "L2", "L4"});
  }
  f.date = DaysAgo(UniformInt(rng, 1, 3650));
  f.mechanism = FractureMechanism::kFragility;
  f.mechanism_recorded = true;
  return f;
}

// A plausible adult record, every date before as_of. Pathologic-fracture flags and spine red
// flags are never set, so adding a fracture cannot legitimately make the tier indeterminate
// through them (property b); conditions come from the whole vocabulary so that contraindications,
// secondary causes and specialist decisions are exercised too.
Patient Generate(std::mt19937& rng, int index) {
  Patient p;
  p.id = "gen-" + std::to_string(index);
  p.as_of = kAsOf;
  p.sex = Chance(rng, 0.03) ? Sex::kUnknown : (Chance(rng, 0.65) ? Sex::kFemale : Sex::kMale);
  p.age_years = UniformInt(rng, 30, 95);
  if (p.sex == Sex::kFemale && Chance(rng, 0.8)) {
    p.menopausal_status =
        Pick(rng, {Menopause::kPre, Menopause::kPeri, Menopause::kPost, Menopause::kUnknown});
  }
  if (Chance(rng, 0.9)) p.weight_kg = Uniform(rng, 35, 130);
  if (Chance(rng, 0.5)) p.height_cm = Uniform(rng, 140, 195);

  // Mostly recent labs (within the 30-day pre-infusion window), some stale, some absent, so that
  // every zoledronic acid status occurs.
  if (Chance(rng, 0.9)) {
    p.labs.push_back(MakeLab(LabTest::kCreatinine, Uniform(rng, 0.4, 4.0), LabAge(rng, 30)));
  }
  if (Chance(rng, 0.9)) {
    p.labs.push_back(MakeLab(LabTest::kCalcium, Uniform(rng, 7.5, 11.0), LabAge(rng, 30)));
  }
  if (Chance(rng, 0.7)) {
    p.labs.push_back(MakeLab(LabTest::kAlbumin, Uniform(rng, 2.5, 5.0), UniformInt(rng, 0, 60)));
  }
  if (Chance(rng, 0.8)) {
    p.labs.push_back(MakeLab(LabTest::kVitaminD25oh, Uniform(rng, 5, 80), UniformInt(rng, 0, 240)));
  }
  if (Chance(rng, 0.1)) {
    p.labs.push_back(MakeLab(LabTest::kEgfr, Uniform(rng, 10, 110), UniformInt(rng, 0, 60)));
  }

  if (Chance(rng, 0.85)) {
    std::vector<BmdSite> sites = {BmdSite::kLumbarSpine, BmdSite::kFemoralNeck, BmdSite::kTotalHip,
                                  BmdSite::kRadius33};
    std::shuffle(sites.begin(), sites.end(), rng);
    const int n = UniformInt(rng, 1, 3);
    const Date dxa = DaysAgo(UniformInt(rng, 1, 1500));
    for (int i = 0; i < n; ++i) {
      BmdMeasurement m;
      m.date = dxa;
      m.site = sites[static_cast<size_t>(i)];
      m.t_score = ToTenths(Uniform(rng, -4.5, 1.0));
      if (Chance(rng, 0.3)) m.z_score = ToTenths(Uniform(rng, -3.5, 1.0));
      p.bmd.push_back(m);
    }
  }
  if (Chance(rng, 0.5)) {
    Frax f;
    f.date = DaysAgo(UniformInt(rng, 1, 700));
    f.major_osteoporotic_pct = ToTenths(Uniform(rng, 1, 50));
    f.hip_pct = ToTenths(Uniform(rng, 0.1, 20));
    if (Chance(rng, 0.1)) f.glucocorticoid_adjusted = Chance(rng, 0.5);
    p.frax = f;
  }

  const int fractures = Pick(rng, {0, 0, 0, 1, 1, 2, 3});
  for (int i = 0; i < fractures; ++i) {
    Fracture f = FragilityFracture(rng);
    if (Chance(rng, 0.15))
      f.mechanism = Pick(rng, {FractureMechanism::kHighTrauma, FractureMechanism::kUnknown});
    p.fractures.push_back(f);
  }

  const int conditions = Pick(rng, {0, 0, 1, 1, 2, 3});
  for (int i = 0; i < conditions; ++i) {
    const auto all = AllNames<ConditionCode>();
    Condition c;
    c.code = all[static_cast<size_t>(UniformInt(rng, 0, static_cast<int>(all.size()) - 1))].first;
    if (Chance(rng, 0.3)) c.onset = DaysAgo(UniformInt(rng, 10, 4000));
    p.conditions.push_back(c);
  }

  const int medications = Pick(rng, {0, 0, 1, 1, 2});
  for (int i = 0; i < medications; ++i) {
    const auto all = AllNames<Agent>();
    Medication m;
    m.agent = all[static_cast<size_t>(UniformInt(rng, 0, static_cast<int>(all.size()) - 1))].first;
    m.status = Pick(rng, {MedStatus::kActive, MedStatus::kActive, MedStatus::kCompleted,
                          MedStatus::kStopped, MedStatus::kPlanned});
    if (m.status != MedStatus::kPlanned) {
      const int start_ago = UniformInt(rng, 30, 3650);
      m.start = DaysAgo(start_ago);
      if (Chance(rng, 0.5)) m.last_dose = DaysAgo(UniformInt(rng, 0, start_ago));
      if (m.status != MedStatus::kActive) {
        m.end = DaysAgo(UniformInt(rng, 0, start_ago));
        if (Chance(rng, 0.5)) {
          m.stop_reason = Pick(rng, {StopReason::kIntolerance, StopReason::kCourseComplete,
                                     StopReason::kDrugHoliday, StopReason::kPatientChoice});
        }
      }
      if (Chance(rng, 0.3)) m.doses_received = UniformInt(rng, 1, 12);
    }
    if (m.agent == Agent::kGlucocorticoid) m.dose_mg_per_day = Uniform(rng, 1, 40);
    p.medications.push_back(m);
  }

  if (Chance(rng, 0.05)) {
    p.intolerances.push_back(Pick(rng, {Intolerance::kOralBisphosphonate,
                                        Intolerance::kZoledronicAcid, Intolerance::kDenosumab}));
  }
  if (Chance(rng, 0.4)) p.falls.count_past_year = UniformInt(rng, 0, 4);
  return p;
}

std::string Describe(const Patient& p, const Assessment& a) {
  std::ostringstream s;
  s << p.id << " sex=" << ToString(p.sex) << " age=" << p.age_years.value_or(-1)
    << " weight=" << p.weight_kg.value_or(-1) << " bmd=" << p.bmd.size()
    << " fractures=" << p.fractures.size() << " conditions=" << p.conditions.size()
    << " medications=" << p.medications.size() << " -> indicated="
    << (a.treatment_indicated ? (*a.treatment_indicated ? "true" : "false") : "null")
    << " tier=" << ToString(a.risk_tier) << " therapy=" << ToString(a.therapy_recommended)
    << " za=" << ToString(a.za_status) << " crcl=" << a.derived.crcl_ml_min.value_or(-1);
  // BONEPATH_PROPERTY_DUMP=1: the record and the rules that fired, to reproduce a failure.
  if (std::getenv("BONEPATH_PROPERTY_DUMP") != nullptr) {
    s << "\n    record: " << PatientToJson(p, EmbeddedKnowledge()) << "\n    fired:";
    for (const auto& t : a.trace)
      if (t.outcome == Outcome::kFired) s << " " << t.rule << " (" << t.because << ")";
  }
  return s.str();
}

Lab* FindLab(Patient& p, LabTest test) {
  for (auto& l : p.labs) {
    if (l.test == test) return &l;
  }
  return nullptr;
}

class EngineProperties : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto engine = Engine::Create(EmbeddedKnowledge(), "us-composite");
    ASSERT_TRUE(engine.has_value()) << engine.error().code << ": " << engine.error().message;
    engine_ = new Engine(std::move(engine).value());
    std::mt19937 rng(kSeed);
    patients_ = new std::vector<Patient>();
    const int n = testing_harness::PropertyPatients(kDefaultPatients);
    for (int i = 0; i < n; ++i) patients_->push_back(Generate(rng, i));
  }
  void SetUp() override { ASSERT_NE(engine_, nullptr) << "the engine could not be created"; }

  static void TearDownTestSuite() {
    delete engine_;
    delete patients_;
    engine_ = nullptr;
    patients_ = nullptr;
  }

  static const Engine& engine() { return *engine_; }
  static const std::vector<Patient>& patients() { return *patients_; }

  // Stops a property after this many counterexamples: one is enough to act on, a few show the
  // pattern, thousands would bury it.
  static constexpr int kMaxReports = 5;

  static Engine* engine_;
  static std::vector<Patient>* patients_;
};

Engine* EngineProperties::engine_ = nullptr;
std::vector<Patient>* EngineProperties::patients_ = nullptr;

TEST_F(EngineProperties, GeneratorCoversTheDecisionSpace) {
  // Guards against a generator (or engine) so narrow that the properties below hold vacuously.
  int indicated = 0, not_indicated = 0, indeterminate = 0, very_high = 0, za_eligible = 0,
      za_contraindicated = 0;
  for (const Patient& p : patients()) {
    const Assessment a = engine().Assess(p, kAsOf);
    indicated += a.treatment_indicated.value_or(false);
    not_indicated += a.treatment_indicated.has_value() && !*a.treatment_indicated;
    indeterminate += a.risk_tier == RiskTier::kIndeterminate;
    very_high += a.risk_tier == RiskTier::kVeryHigh;
    za_eligible += a.za_status == ZaStatus::kEligible;
    za_contraindicated += a.za_status == ZaStatus::kContraindicated;
  }
  const int floor =
      static_cast<int>(patients().size()) / 100;  // each outcome in at least 1 % of patients
  EXPECT_GE(indicated, floor);
  EXPECT_GE(not_indicated, floor);
  EXPECT_GE(indeterminate, floor);
  EXPECT_GE(very_high, floor);
  EXPECT_GE(za_eligible, floor);
  EXPECT_GE(za_contraindicated, floor);
}

// (a)
TEST_F(EngineProperties, LowerCreatinineClearanceNeverMakesZoledronicAcidMoreAvailable) {
  std::mt19937 rng(kSeed + 1);
  int reports = 0, compared = 0;
  for (const Patient& base : patients()) {
    if (reports >= kMaxReports) break;
    const Assessment before = engine().Assess(base, kAsOf);

    std::vector<std::pair<std::string, Patient>> variants;
    Patient higher_creatinine = base;
    if (Lab* cr = FindLab(higher_creatinine, LabTest::kCreatinine)) {
      cr->value *= Uniform(rng, 1.05, 2.5);
      variants.emplace_back("creatinine raised", std::move(higher_creatinine));
    }
    Patient lighter = base;
    if (lighter.weight_kg) {
      *lighter.weight_kg *= Uniform(rng, 0.6, 0.95);
      variants.emplace_back("weight lowered", std::move(lighter));
    }
    for (const auto& [change, variant] : variants) {
      const Assessment after = engine().Assess(variant, kAsOf);
      ++compared;
      if (ZaAvailability(after.za_status) > ZaAvailability(before.za_status)) {
        ADD_FAILURE() << change
                      << " made zoledronic acid more available: " << ToString(before.za_status)
                      << " -> " << ToString(after.za_status)
                      << "\n  before: " << Describe(base, before)
                      << "\n  after:  " << Describe(variant, after);
        ++reports;
      }
    }
  }
  EXPECT_GT(compared, static_cast<int>(patients().size()));
}

// (b)
TEST_F(EngineProperties, AddingAFragilityFractureNeverLowersTheTier) {
  std::mt19937 rng(kSeed + 2);
  int reports = 0, compared = 0;
  for (const Patient& base : patients()) {
    if (reports >= kMaxReports) break;
    Patient more = base;
    more.fractures.push_back(FragilityFracture(rng));
    const Assessment before = engine().Assess(base, kAsOf);
    const Assessment after = engine().Assess(more, kAsOf);
    if (TierRank(before.risk_tier) < 0 || TierRank(after.risk_tier) < 0) continue;
    ++compared;
    if (TierRank(after.risk_tier) < TierRank(before.risk_tier)) {
      const Fracture& f = more.fractures.back();
      ADD_FAILURE() << "adding a " << ToString(f.site) << " fragility fracture dated "
                    << f.date->ToString() << " lowered the tier " << ToString(before.risk_tier)
                    << " -> " << ToString(after.risk_tier)
                    << "\n  before: " << Describe(base, before)
                    << "\n  after:  " << Describe(more, after);
      ++reports;
    }
  }
  EXPECT_GT(compared, static_cast<int>(patients().size()) / 2);
}

// (c)
TEST_F(EngineProperties, LoweringATScoreNeverLowersTheTier) {
  std::mt19937 rng(kSeed + 3);
  int reports = 0, compared = 0;
  for (const Patient& base : patients()) {
    if (reports >= kMaxReports) break;
    if (base.bmd.empty()) continue;
    Patient lower = base;
    auto& m =
        lower.bmd[static_cast<size_t>(UniformInt(rng, 0, static_cast<int>(lower.bmd.size()) - 1))];
    if (!m.t_score) continue;
    *m.t_score -= UniformInt(rng, 1, 15);  // tenths: 0.1 to 1.5 lower
    const Assessment before = engine().Assess(base, kAsOf);
    const Assessment after = engine().Assess(lower, kAsOf);
    if (TierRank(before.risk_tier) < 0 || TierRank(after.risk_tier) < 0) continue;
    ++compared;
    if (TierRank(after.risk_tier) < TierRank(before.risk_tier)) {
      ADD_FAILURE() << "lowering the " << ToString(m.site) << " T-score to " << std::fixed
                    << std::setprecision(1) << FromTenths(*m.t_score) << " lowered the tier "
                    << ToString(before.risk_tier) << " -> " << ToString(after.risk_tier)
                    << "\n  before: " << Describe(base, before)
                    << "\n  after:  " << Describe(lower, after);
      ++reports;
    }
  }
  EXPECT_GT(compared, static_cast<int>(patients().size()) / 2);
}

// (d)
TEST_F(EngineProperties, EveryRuleIdExistsAndEveryStatementHasOne) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  int reports = 0;
  for (const Patient& p : patients()) {
    if (reports >= kMaxReports) break;
    const Assessment a = engine().Assess(p, kAsOf);
    std::vector<std::string> problems;
    auto check_ids = [&](const std::string& where, const RuleIds& ids, bool required) {
      if (required && ids.empty()) problems.push_back(where + ": names no rule");
      for (const auto& id : ids) {
        if (kb.FindRule(id) == nullptr)
          problems.push_back(where + ": unknown rule '" + std::string(id) + "'");
      }
    };
    auto check_statements = [&](const std::string& where, const std::vector<Statement>& list) {
      for (size_t i = 0; i < list.size(); ++i) {
        check_ids(where + "[" + std::to_string(i) + "]", list[i].rules, true);
      }
    };
    check_statements("treatment.reasons", a.treatment_reasons);
    check_statements("therapy.sequence", a.sequence);
    check_statements("infusion.reasons", a.za_reasons);
    check_statements("monitoring", a.monitoring);
    check_statements("adjuncts", a.adjuncts);
    check_statements("workup", a.workup);
    for (size_t i = 0; i < a.agents.size(); ++i) {
      check_ids("therapy.agents[" + std::to_string(i) + "]", a.agents[i].rules, false);
    }
    for (size_t i = 0; i < a.alternatives.size(); ++i) {
      check_ids("therapy.alternatives[" + std::to_string(i) + "]", a.alternatives[i].rules, false);
    }
    for (size_t i = 0; i < a.avoid.size(); ++i) {
      check_ids("therapy.avoid[" + std::to_string(i) + "]", a.avoid[i].rules, true);
    }
    for (size_t i = 0; i < a.pre_infusion.size(); ++i) {
      check_ids("pre_infusion[" + std::to_string(i) + "]", a.pre_infusion[i].rules, false);
    }
    for (size_t i = 0; i < a.referrals.size(); ++i) {
      const std::string where = "referrals[" + std::to_string(i) + "]";
      if (a.referrals[i].reasons.empty()) problems.push_back(where + ": no reason");
      check_statements(where + ".reasons", a.referrals[i].reasons);
    }
    for (size_t i = 0; i < a.warnings.size(); ++i) {
      check_ids("warnings[" + std::to_string(i) + "] " + a.warnings[i].code, a.warnings[i].rules,
                true);
    }
    if (a.trace.empty()) problems.push_back("trace: empty");
    for (size_t i = 0; i < a.trace.size(); ++i) {
      check_ids("trace[" + std::to_string(i) + "]", {a.trace[i].rule}, true);
    }
    if (!problems.empty()) {
      std::string all;
      for (const auto& s : problems) all += "\n  " + s;
      ADD_FAILURE() << Describe(p, a) << all;
      ++reports;
    }
  }
}

// (e) and (f), plus the meaning of "eligible" in the schema: every pre-infusion check that is not
// advice has passed.
TEST_F(EngineProperties, StatusesAreConsistent) {
  int reports = 0;
  for (const Patient& p : patients()) {
    if (reports >= kMaxReports) break;
    const Assessment a = engine().Assess(p, kAsOf);
    std::vector<std::string> problems;
    const bool indeterminate = a.risk_tier == RiskTier::kIndeterminate;
    if (indeterminate != !a.treatment_indicated.has_value()) {
      problems.push_back("risk_tier indeterminate must go with treatment.indicated null");
    }
    if (a.treatment_indicated == false) {
      if (a.therapy_recommended != TherapyClass::kNone) {
        problems.push_back("not indicated, yet therapy is not none");
      }
      if (a.za_status != ZaStatus::kNotIndicated) {
        problems.push_back("not indicated, yet zoledronic acid is not not_indicated");
      }
    }
    if (a.za_status == ZaStatus::kEligible) {
      for (const PreCheck& c : a.pre_infusion) {
        if (c.status != CheckStatus::kPass && c.status != CheckStatus::kAdvice) {
          problems.push_back("eligible, yet check " + std::string(ToString(c.check)) + " is " +
                             std::string(ToString(c.status)));
        }
      }
    }
    if (!problems.empty()) {
      std::string all;
      for (const auto& s : problems) all += "\n  " + s;
      ADD_FAILURE() << Describe(p, a) << all;
      ++reports;
    }
  }
}

// (g)
TEST_F(EngineProperties, JsonOutputValidatesAgainstTheSchema) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  const size_t step = patients().size() / kSchemaSample;
  int reports = 0, validated = 0;
  for (size_t i = 0; i < patients().size() && reports < kMaxReports; i += step) {
    const Patient& p = patients()[i];
    const Assessment a = engine().Assess(p, kAsOf);
    const std::string text = AssessmentToJson(a, kb);
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      ADD_FAILURE() << Describe(p, a) << "\n  not JSON: " << text.substr(0, 2000);
      ++reports;
      continue;
    }
    const std::string violations = testing_harness::SchemaViolations(doc);
    if (!violations.empty()) {
      ADD_FAILURE() << Describe(p, a) << "\n" << violations;
      ++reports;
    }
    ++validated;
  }
  EXPECT_GE(validated, kSchemaSample);
}

// The engine is a pure function of its inputs: the same patient gives the same JSON twice.
TEST_F(EngineProperties, AssessIsDeterministic) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  for (size_t i = 0; i < patients().size(); i += 97) {
    const Patient& p = patients()[i];
    EXPECT_EQ(AssessmentToJson(engine().Assess(p, kAsOf), kb),
              AssessmentToJson(engine().Assess(p, kAsOf), kb))
        << p.id;
  }
}

// guideline_disagreement names exactly the other shipped profiles whose own assessment decides
// treatment, tier or therapy differently: the other profiles' quiet runs (the decision core only,
// no text) decide as those profiles' full runs do. Under every shipped profile as the main one.
TEST_F(EngineProperties, DisagreementNamesTheProfilesThatDecideDifferently) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  std::vector<Engine> engines;
  for (const auto& profile : kb.profiles) {
    auto e = Engine::Create(kb, profile.name);
    ASSERT_TRUE(e.has_value()) << profile.name;
    engines.push_back(std::move(e).value());
  }
  int compared = 0, disagreements = 0, reports = 0;
  for (size_t i = 0; i < patients().size(); i += 7) {
    const Patient& p = patients()[i];
    std::vector<Assessment> own;
    for (const Engine& e : engines) own.push_back(e.Assess(p, kAsOf));
    for (size_t m = 0; m < engines.size(); ++m) {
      std::set<std::string> expected, reported;
      for (size_t o = 0; o < engines.size(); ++o)
        if (o != m && (own[o].treatment_indicated != own[m].treatment_indicated ||
                       own[o].risk_tier != own[m].risk_tier ||
                       own[o].therapy_recommended != own[m].therapy_recommended))
          expected.insert(engines[o].profile());
      for (const auto& t : own[m].trace) {
        if (t.rule != "CONV-PROFILE-DISAGREEMENT" || t.outcome != Outcome::kFired) continue;
        const std::string because = t.because;
        for (size_t at = 0; at < because.size();) {
          const size_t end = std::min(because.find("; ", at), because.size());
          reported.insert(because.substr(at, because.find(':', at) - at));
          at = end + 2;
        }
      }
      if (expected != reported && reports++ < kMaxReports)
        ADD_FAILURE() << engines[m].profile() << " " << Describe(p, own[m]) << "\n  expected "
                      << expected.size() << " profile(s), reported " << reported.size();
      EXPECT_EQ(own[m].HasWarning("guideline_disagreement"), !expected.empty()) << p.id;
      disagreements += !expected.empty();
      ++compared;
    }
  }
  EXPECT_GE(disagreements, compared / 20) << "too few disagreements for the check to mean much";
}

// The same for one patient whose blocks the quiet runs must see: a myocardial infarction two
// months ago blocks romosozumab (CI-07) and Paget's disease has teriparatide and abaloparatide
// avoided (CI-08, CI-09), so no anabolic agent is left for a very-high-risk woman. The blocks
// are decided by flags, not by the sentences that say them, which the quiet runs do not format:
// had they been, the quiet runs would still offer romosozumab and report a disagreement.
TEST(QuietRuns, BlockWhatTheFullRunBlocks) {
  const KnowledgeBase& kb = EmbeddedKnowledge();
  Patient p;
  p.id = "quiet-blocks";
  p.as_of = kAsOf;
  p.sex = Sex::kFemale;
  p.age_years = 72;
  p.menopausal_status = Menopause::kPost;
  p.weight_kg = 62;
  p.height_cm = 160;
  p.labs.push_back(MakeLab(LabTest::kCreatinine, 0.8, 5));
  p.labs.push_back(MakeLab(LabTest::kCalcium, 9.4, 5));
  p.labs.push_back(MakeLab(LabTest::kAlbumin, 4.2, 5));
  p.labs.push_back(MakeLab(LabTest::kVitaminD25oh, 42, 5));
  BmdMeasurement m;
  m.date = DaysAgo(30);
  m.site = BmdSite::kTotalHip;
  m.t_score = ToTenths(-3.6);
  p.bmd.push_back(m);
  Fracture fx;
  fx.site = FractureSite::kHip;
  fx.date = DaysAgo(90);
  fx.mechanism = FractureMechanism::kFragility;
  fx.mechanism_recorded = true;
  p.fractures.push_back(fx);
  Condition mi;
  mi.code = ConditionCode::kMyocardialInfarction;
  mi.onset = DaysAgo(60);
  p.conditions.push_back(mi);
  Condition paget;
  paget.code = ConditionCode::kPagetDisease;
  p.conditions.push_back(paget);

  for (const auto& main : kb.profiles) {
    auto e = Engine::Create(kb, main.name);
    ASSERT_TRUE(e.has_value()) << main.name;
    const Assessment a = e->Assess(p, kAsOf);
    EXPECT_NE(a.therapy_recommended, TherapyClass::kAnabolic) << main.name;
    for (std::string_view agent : {"romosozumab", "teriparatide", "abaloparatide"})
      EXPECT_TRUE(std::any_of(a.avoid.begin(), a.avoid.end(),
                              [&](const auto& x) { return x.agent == agent; }))
          << main.name << " " << agent;
    for (const auto& other : kb.profiles) {
      if (other.name == main.name) continue;
      auto o = Engine::Create(kb, other.name);
      ASSERT_TRUE(o.has_value()) << other.name;
      const Assessment b = o->Assess(p, kAsOf);
      if (b.treatment_indicated != a.treatment_indicated || b.risk_tier != a.risk_tier ||
          b.therapy_recommended != a.therapy_recommended)
        continue;  // a real disagreement: the property above checks those
      for (const auto& t : a.trace) {
        if (t.rule != "CONV-PROFILE-DISAGREEMENT") continue;
        EXPECT_EQ(t.because.find(other.name + ":"), std::string::npos)
            << main.name << " reports " << other.name << ": " << t.because;
      }
    }
  }
}

}  // namespace
}  // namespace bp

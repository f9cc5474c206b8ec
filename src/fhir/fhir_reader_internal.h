// Internal to the FHIR reader (fhir_reader.cc and the fhir_*.cc files it is split into by
// topic): the DOM helpers, the candidate facts and the Reader class that maps one input. Not
// part of the library's interface; include fhir/fhir_reader.h instead.
//
// fhir_reader.cc          bundle indexing, patient choice, Patient, the trace, the public API
// fhir_observations.cc    Observation (DXA, labs, vitals, FRAX), DiagnosticReport, RiskAssessment
// fhir_conditions.cc      Condition, fractures (CONV-01), Procedure
// fhir_medications.cc     MedicationRequest/Statement/Administration (COURSE-01), allergies
#pragma once

#include <simdjson.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "domain/knowledge.h"
#include "domain/patient.h"
#include "fhir/codes.h"
#include "fhir/fhir_reader.h"

namespace bp::fhir_reader {

using fhir::CodeTables;
using fhir::Concept;
using fhir::Domain;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Rule ids of knowledge/rules/fhir.json.
inline constexpr std::string_view kRuleTscore38265 = "FHIR-TSCORE-38265-5";
inline constexpr std::string_view kRuleMenopause = "FHIR-MENOPAUSE-AGE";
inline constexpr std::string_view kRuleDxRecorded = "FHIR-DX-RECORDED";
inline constexpr std::string_view kRule443165006 = "FHIR-443165006";
inline constexpr std::string_view kRuleConditionStatus = "FHIR-CONDITION-STATUS";
inline constexpr std::string_view kRuleUnits = "FHIR-UNITS";
inline constexpr std::string_view kRuleLatest = "FHIR-LATEST-VALUE";
inline constexpr std::string_view kRuleMedIngredient = "FHIR-MED-INGREDIENT";
inline constexpr std::string_view kRuleMedStatus = "FHIR-MED-STATUS";
inline constexpr std::string_view kRuleBodySite = "FHIR-DXA-BODYSITE";
inline constexpr std::string_view kRuleLabCodes = "FHIR-LAB-CODES";
inline constexpr std::string_view kRuleAsOf = "FHIR-AFTER-AS-OF";
inline constexpr std::string_view kRuleFrax = "FHIR-FRAX";
inline constexpr std::string_view kRuleIntolerance = "FHIR-INTOLERANCE";
inline constexpr std::string_view kRuleStatus = "FHIR-PREGNANCY-LACTATION";
inline constexpr std::string_view kRuleConv01 = "CONV-01";  // catalogue §6: fractures coded by site

inline constexpr std::string_view kRules[] = {
    kRuleTscore38265, kRuleMenopause, kRuleDxRecorded,    kRule443165006,   kRuleConditionStatus,
    kRuleUnits,       kRuleLatest,    kRuleMedIngredient, kRuleMedStatus,   kRuleBodySite,
    kRuleLabCodes,    kRuleAsOf,      kRuleFrax,          kRuleIntolerance, kRuleConv01,
    kRuleStatus};

// ---- small DOM helpers (error codes only: nothing here throws) ----

std::optional<element> Field(element e, std::string_view key);
std::string_view Str(element e, std::string_view key);
std::string_view AsStr(element e);
std::vector<element> Items(element e, std::string_view key);

// A FHIR date, dateTime or instant: the calendar date as written (the date in the offset it
// was recorded in). Partial dates (YYYY, YYYY-MM) take the first day and set *partial.
std::optional<Date> ParseFhirDate(std::string_view s, bool* partial = nullptr);

struct Coding {
  std::string_view system, code, display;
};

std::vector<Coding> Codings(std::optional<element> cc);
std::string CodeText(std::optional<element> cc);

// ---- candidate facts ----

struct BmdCand {
  enum class Kind { kT, kZ, kBmd };
  std::optional<Date> date;
  BmdSite site = BmdSite::kLumbarSpine;
  Kind kind = Kind::kT;
  Tenths value = 0;           // a T- or Z-score
  double g_cm2 = 0;           // kBmd: areal BMD
  std::optional<double> lsc;  // kBmd: the facility's least significant change, g/cm2
  std::string ref;
  std::vector<std::string> extra_refs;  // the DiagnosticReport that lists it
};

struct LabCand {
  LabTest test = LabTest::kCreatinine;
  double value = 0;
  std::optional<Date> date;
  std::optional<double> low, high;
  std::string ref;
  int order = 0;
};

struct ValueCand {
  double value = 0;
  std::optional<Date> date;
  std::string ref;
  int order = 0;
};

struct CondCand {
  ConditionCode code = ConditionCode::kOsteoporosis;
  std::optional<Date> onset;
  bool active = true;
  std::string stage;
  std::string ref;
};

struct FxCand {
  FractureSite site = FractureSite::kOther;
  std::optional<Date> date;
  bool osteoporotic = false;
  bool unsited = false;
  bool pathologic = false;
  std::string ref;
  std::string encounter;  // "Encounter/id" or empty
};

// An external cause of injury (catalogue §6 CONV-01): gives the mechanism of the fracture
// recorded on the same encounter (or, without encounters, within the merge window).
struct CauseCand {
  std::string_view mechanism;  // fragility | high_trauma | unknown (the value set's value)
  std::optional<Date> date;
  std::string ref;
  std::string encounter;
};

// A pregnancy or breastfeeding status Observation (catalogue §1.1, §6 CI-12R).
struct StatusCand {
  std::string_view what;      // pregnancy | breastfeeding
  std::optional<bool> value;  // nullopt: the answer is unknown (never read as "no")
  std::optional<Date> date;
  std::string ref;
  int order = 0;
};

struct MedEvent {
  Agent agent = Agent::kAlendronate;
  enum class Kind { kOrder, kStatement, kAdministration } kind = Kind::kOrder;
  MedStatus status = MedStatus::kActive;
  std::optional<Date> date;
  std::optional<Date> end;
  std::optional<Route> route;
  std::optional<double> dose_mg_per_day;
  std::optional<double> dose_mg;  // per administration (injected/infused agents)
  bool held = false;
  bool by_name = false;
  std::string ref;
};

struct FraxCand {
  std::optional<Date> date;
  std::optional<Tenths> mof, hip;
  std::string ref;
  int order = 0;
};

struct Entry {
  element res;
  std::string type;
  std::string ref;  // Type/id
  std::string loc;  // FHIRPath-style prefix of this resource
};

class Reader {
 public:
  Reader(const KnowledgeBase& kb, const FhirOptions& opt)
      : kb_(kb), opt_(opt), ct_(CodeTables::Get()) {}

  // `padded`: at least kFhirInputPadding readable bytes follow the text (parsed in place).
  Result<FhirExtract> Read(std::string_view text, const std::vector<std::string>* labels,
                           bool padded = false);
  // Already parsed resources, read as the entries of a collection Bundle (ReadFhirResources).
  Result<FhirExtract> ReadResources(std::span<const element> resources);

 private:
  void Issue(std::string path, std::string message, Severity sev = Severity::kWarning) {
    out_.issues.push_back({std::move(path), std::move(message), sev});
  }
  void Ignore(const std::string& ref, std::string why) { out_.ignored.push_back({ref, why}); }
  void Trace(std::string_view rule, const std::string& ref) {
    auto& v = trace_[std::string(rule)];
    if (std::find(v.begin(), v.end(), ref) == v.end()) v.push_back(ref);
  }
  void Skip(const std::string& type) { ++out_.skipped_counts[type]; }

  // One entry's resource, indexed by Type/id (and by fullUrl when given); `index` names an
  // entry without id.
  void IndexEntry(element res, std::string_view full_url, const std::string& loc, size_t index);
  // Everything after indexing: the patient chosen, each resource read, the record finished.
  // `bulk`: the entries are lines of a Bulk export (ReadBulkExport).
  Result<FhirExtract> Extract(std::string_view root_type, bool bulk);

  std::string ResolveRef(std::string_view ref) const;
  bool AfterAsOf(const std::optional<Date>& d, const Entry& e, const std::string& field);
  std::optional<Date> EffectiveDate(element r, const std::string& loc, const char* prefix);

  void DoPatient(const Entry& e);
  void DoObservation(const Entry& e);
  void DoDiagnosticReport(const Entry& e);
  void DoCondition(const Entry& e);
  void DoProcedure(const Entry& e);
  void DoMedication(const Entry& e);
  void DoAllergy(const Entry& e);
  void DoRiskAssessment(const Entry& e);

  std::optional<double> Number(element r, const Entry& e, const char* field_path,
                               std::optional<element> v);
  std::optional<double> LeastSignificantChange(const Entry& e);
  std::vector<const Concept*> ConceptsOf(std::optional<element> cc);
  std::vector<const Concept*> MedConcepts(element r, const Entry& e);

  void Finish();
  void FinishBmd();
  void FinishLabs();
  void FinishStatuses();
  void FinishConditions();
  void FinishFractures();
  void FinishMedications();

  const KnowledgeBase& kb_;
  const FhirOptions& opt_;
  const CodeTables& ct_;
  FhirExtract out_;

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> by_ref_;                    // "Type/id" -> entry
  std::unordered_map<std::string, std::string> full_;                 // fullUrl -> "Type/id"
  std::unordered_map<std::string, std::optional<Date>> report_date_;  // obs ref -> DR date
  std::unordered_map<std::string, std::string> report_of_;            // obs ref -> DR ref
  std::string patient_ref_;
  std::set<std::string> other_patients_;
  std::set<std::string> unresolved_reported_;
  bool have_patient_resource_ = false;
  bool external_cause_read_ = false;  // CONV-01 used an external cause (trace wording)
  int order_ = 0;

  std::vector<BmdCand> bmd_;
  std::vector<LabCand> labs_;
  std::vector<ValueCand> weight_, height_;
  std::vector<CondCand> conds_;
  std::vector<FxCand> fx_;
  std::vector<CauseCand> causes_;
  std::vector<MedEvent> meds_;
  std::vector<std::pair<Intolerance, std::string>> intol_;
  std::vector<FraxCand> frax_;
  std::vector<StatusCand> statuses_;
  std::vector<std::string> menopause_refs_;
  std::map<std::string, std::vector<std::string>> trace_;
  std::vector<std::string> patient_refs_;  // the Patient resource
};

}  // namespace bp::fhir_reader

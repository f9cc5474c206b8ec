#include "cdshooks/cards.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "knowledge/embedded.h"
#include "rules/facts.h"

namespace bp::cds {
namespace {

// A block of the catalogue (contraindicated, a limit reached), not an avoidance: the engine's
// avoid text says so in words (rules/steps.h AvoidAgent).
bool IsBlock(const Avoid& av) {
  return av.text.starts_with("blocked") || av.text.find("; blocked") != std::string_view::npos;
}

using nlohmann::json;

constexpr const char* kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
constexpr const char* kOverrideSystem = "https://bonepath.org/cds-hooks/override-reason";
constexpr size_t kMaxSummary = 139;  // CDS Hooks: summary under 140 characters

std::string Num1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Cuts at a code-point boundary and marks the cut, so the summary stays valid UTF-8.
std::string Summary(std::string s) {
  if (s.size() <= kMaxSummary) return s;
  size_t cut = kMaxSummary - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "...";
}

std::string IndicatorOf(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

// An internal review mark ("[U]", "[V]", "[P]", "(IN)") in a string: such text never reaches
// the EHR (a mark once leaked into an order's display).
bool CarriesReviewMark(std::string_view s) {
  if (s.find("(IN)") != std::string_view::npos) return true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '[') continue;
    size_t j = i + 1;
    while (j < s.size() && j - i <= 4 &&
           (std::isupper(static_cast<unsigned char>(s[j])) ||
            std::isdigit(static_cast<unsigned char>(s[j]))))
      ++j;
    if (j > i + 1 && j < s.size() && s[j] == ']') return true;
  }
  return false;
}

// An orderable product of knowledge/orderables.json: an RxNorm SCD with a structured dosage.
struct Product {
  std::string id, agent, purpose, code, display, text, label, instruction;
  json dose, route, timing;
};

struct Orderables {
  std::string rxnorm = kRxNorm;
  std::string route_system;
  std::vector<Product> products;
  json fls;  // the fracture liaison referral's code, or null
};

// Read once from the embedded knowledge; an entry whose EHR-facing text carries a review mark,
// or that lacks a field an order needs, is left out (no suggestion rather than a bad order).
const Orderables& OrderablesTable() {
  static const Orderables table = [] {
    Orderables t;
    json doc;
    for (const auto& f : EmbeddedKnowledgeFiles())
      if (f.path == "orderables.json") doc = json::parse(f.content, nullptr, false);
    if (!doc.is_object()) return t;
    t.rxnorm = doc.value("rxnorm_system", std::string(kRxNorm));
    t.route_system = doc.value("route_system", "");
    if (doc.contains("products") && doc["products"].is_array())
      for (const auto& p : doc["products"]) {
        if (!p.is_object()) continue;
        Product x;
        x.id = p.value("id", "");
        x.agent = p.value("agent", "");
        x.purpose = p.value("purpose", "");
        x.code = p.value("code", "");
        x.display = p.value("display", "");
        x.text = p.value("text", "");
        x.label = p.value("label", "");
        x.instruction = p.value("instruction", "");
        x.dose = p.value("dose", json());
        x.route = p.value("route", json());
        x.timing = p.value("timing", json());
        if (x.agent.empty() || x.code.empty() || x.text.empty() || x.label.empty() ||
            !x.dose.is_object() || !x.timing.is_object() || !x.route.is_object())
          continue;
        if (CarriesReviewMark(x.display) || CarriesReviewMark(x.text) ||
            CarriesReviewMark(x.label) || CarriesReviewMark(x.instruction) ||
            CarriesReviewMark(x.route.value("display", "")))
          continue;
        t.products.push_back(std::move(x));
      }
    if (doc.contains("referral") && doc["referral"].is_object() &&
        doc["referral"].contains("fracture_liaison_service")) {
      const json& r = doc["referral"]["fracture_liaison_service"];
      if (r.is_object() && !CarriesReviewMark(r.value("display", "")) &&
          !CarriesReviewMark(r.value("text", "")))
        t.fls = r;
    }
    return t;
  }();
  return table;
}

// The product to order an agent with (by the knowledge's agent name), or for a purpose
// ("vitamin_d_repletion"); null when the knowledge lists none.
const Product* ProductFor(std::string_view agent, std::string_view purpose = "") {
  for (const Product& p : OrderablesTable().products)
    if (purpose.empty() ? (p.agent == agent && p.purpose.empty()) : p.purpose == purpose) return &p;
  return nullptr;
}

class Builder {
 public:
  Builder(const CardContext& c, std::vector<IssuedCard>* issued) : c_(c), issued_(issued) {}

  json Cards() { return cards_; }

  // The rule ids and a link to the full assessment, where each rule's title, values and
  // citations are: the card stays short (it once ran to 4.9 KB, mostly citations).
  std::string RulesMarkdown(const RuleIds& rules) const {
    std::string out = "\n\n**Rules and sources:** ";
    std::set<std::string> seen;
    for (const std::string_view id_view : rules) {
      const std::string id(id_view);
      if (!seen.insert(id).second) continue;
      out += (seen.size() > 1 ? ", `" : "`") + id + "`";
    }
    out += " (knowledge " + c_.kb->version + ", profile " + c_.assessment->profile +
           "); values, reasoning and citations in the [full assessment](" + c_.assessment_url +
           ").";
    if (!c_.unavailable.empty()) {
      out += "\n\n*Not available from the EHR:* ";
      for (size_t i = 0; i < c_.unavailable.size(); ++i) out += (i ? ", " : "") + c_.unavailable[i];
      out += ". The engine reports what this data would decide in the full assessment.";
    }
    return out;
  }

  // Adds one card unless a card with this code is already there.
  void Add(const std::string& code, Severity sev, const std::string& summary,
           const std::string& body, const RuleIds& rules, json suggestions = json::array()) {
    if (!codes_.insert(code).second) return;
    json card;
    const std::string uuid = NewUuid();
    card["uuid"] = uuid;
    card["summary"] = Summary(summary);
    card["indicator"] = IndicatorOf(sev);
    card["detail"] = body + RulesMarkdown(rules);
    card["source"] = {
        {"label", "bonepath osteoporosis decision support"},
        {"url", c_.source_url},
        {"topic",
         {{"system", "https://bonepath.org/cds-hooks/card"}, {"code", code}, {"display", code}}}};
    if (!suggestions.empty()) {
      card["suggestions"] = suggestions;
      card["selectionBehavior"] = "at-most-one";
    }
    card["overrideReasons"] =
        json::array({{{"code", "already-addressed"},
                      {"system", kOverrideSystem},
                      {"display", "Already addressed or planned"}},
                     {{"code", "patient-declined"},
                      {"system", kOverrideSystem},
                      {"display", "Patient declined"}},
                     {{"code", "data-incorrect"},
                      {"system", kOverrideSystem},
                      {"display", "Record data incorrect or out of date"}},
                     {{"code", "clinical-judgement"},
                      {"system", kOverrideSystem},
                      {"display", "Clinical judgement: benefit outweighs risk"}},
                     {{"code", "not-applicable"},
                      {"system", kOverrideSystem},
                      {"display", "Not applicable to this patient"}}});
    card["links"] = json::array({{{"label", "bonepath assessment (rules, values, citations)"},
                                  {"url", c_.assessment_url},
                                  {"type", "absolute"}}});
    cards_.push_back(std::move(card));
    issued_->push_back({uuid, code, IndicatorOf(sev)});
  }

  const Warning* FindWarning(std::string_view code) const {
    for (const auto& w : c_.assessment->warnings)
      if (w.code == code) return &w;
    return nullptr;
  }

  std::string Title(std::string_view code) const {
    for (const auto& w : c_.kb->warnings)
      if (w.code == code) return w.title;
    return std::string(code);
  }

  // A card from an engine warning; `prefix` puts the measured value first in the summary.
  void FromWarning(std::string_view code, const std::string& prefix = "",
                   const std::string& values = "", json suggestions = json::array()) {
    const Warning* w = FindWarning(code);
    if (!w) return;
    std::string body = w->text;
    if (!values.empty()) body += "\n\n" + values;
    Add(std::string(code), w->severity, prefix + Title(code), body, w->rules,
        std::move(suggestions));
  }

  std::string RenalValues() const {
    const Derived& d = c_.assessment->derived;
    std::string v;
    if (d.crcl_ml_min)
      v += "Creatinine clearance (Cockcroft-Gault): **" + Num1(*d.crcl_ml_min) + " mL/min**. ";
    if (d.egfr_ml_min_1_73m2) v += "eGFR: " + Num1(*d.egfr_ml_min_1_73m2) + " mL/min/1.73 m2. ";
    if (v.empty()) v = "Creatinine clearance: unknown (creatinine, weight or age missing).";
    return v;
  }
  std::string CalciumValues() const {
    const Derived& d = c_.assessment->derived;
    return d.corrected_calcium_mg_dl
               ? "Albumin-corrected calcium: **" + Num1(*d.corrected_calcium_mg_dl) + " mg/dL**."
               : "Calcium: unknown.";
  }
  std::string VitaminDValues() const {
    const Derived& d = c_.assessment->derived;
    return d.vitamin_d_25oh_ng_ml
               ? "25-OH vitamin D: **" + Num1(*d.vitamin_d_25oh_ng_ml) + " ng/mL**."
               : "25-OH vitamin D: unknown.";
  }

  // A draft MedicationRequest for a product: RxNorm SCD, structured dose, route and timing.
  json Order(const Product& p) const {
    const Orderables& t = OrderablesTable();
    json coding = {{"system", t.rxnorm}, {"code", p.code}};
    if (!p.display.empty()) coding["display"] = p.display;
    json route_coding = {{"system", t.route_system}, {"code", p.route.value("code", "")}};
    if (p.route.contains("display")) route_coding["display"] = p.route["display"];
    json dosage = {{"timing", {{"repeat", p.timing}}},
                   {"route", {{"coding", json::array({route_coding})}}},
                   {"doseAndRate", json::array({{{"doseQuantity",
                                                  {{"value", p.dose.value("value", 0.0)},
                                                   {"unit", p.dose.value("unit", "")},
                                                   {"system", "http://unitsofmeasure.org"},
                                                   {"code", p.dose.value("unit", "")}}}}})}};
    if (!p.instruction.empty()) dosage["text"] = p.instruction;
    return {{"resourceType", "MedicationRequest"},
            {"status", "draft"},
            {"intent", "order"},
            {"medicationCodeableConcept", {{"coding", json::array({coding})}, {"text", p.text}}},
            {"subject", {{"reference", "Patient/" + c_.patient->id}}},
            {"authoredOn", c_.today.ToString()},
            {"dosageInstruction", json::array({dosage})}};
  }

  // Removes a draft order (CDS Hooks 2.0 action type "delete", by the draft's resource id).
  static json DeleteDraft(const DraftOrder& d) {
    return {{"type", "delete"},
            {"description", "Remove the draft " + std::string(ToString(d.agent)) + " order"},
            {"resourceId", json::array({d.ref})}};
  }

  // One suggestion: order the product, and remove the draft it replaces (if any).
  json OrderSuggestion(const Product& p, const DraftOrder* replaces,
                       const std::string& label_suffix = "") const {
    json actions = json::array();
    actions.push_back({{"type", "create"}, {"description", p.label}, {"resource", Order(p)}});
    if (replaces && !replaces->ref.empty()) actions.push_back(DeleteDraft(*replaces));
    return {{"label", p.label + label_suffix},
            {"uuid", NewUuid()},
            {"isRecommended", true},
            {"actions", actions}};
  }

  // The engine's first recommended agent, other than `not_this`, that is not blocked for the
  // patient and has an orderable product.
  const Product* Alternative(Agent not_this) const {
    for (const Regimen& r : c_.assessment->agents) {
      if (r.agent == ToString(not_this)) continue;
      bool blocked = false;
      for (const Avoid& av : c_.assessment->avoid)
        if (av.agent == r.agent && IsBlock(av)) blocked = true;
      if (blocked) continue;
      if (const Product* p = ProductFor(r.agent)) return p;
    }
    return nullptr;
  }

  // The referral's code from the knowledge (SNOMED CT), with the service named in text.
  static json FlsCode() {
    const json& k = OrderablesTable().fls;
    const std::string text = k.is_object() ? k.value("text", "") : "";
    json code = {{"text", text.empty() ? "Referral to fracture liaison service" : text}};
    if (k.is_object() && k.contains("code"))
      code["coding"] = json::array({{{"system", k.value("system", "")},
                                     {"code", k.value("code", "")},
                                     {"display", k.value("display", "")}}});
    return code;
  }

  json FlsSuggestion(const Referral& r) const {
    std::string reason;
    for (const auto& s : r.reasons) reason += (reason.empty() ? "" : " ") + s.text;
    json sr = {{"resourceType", "ServiceRequest"},
               {"status", "draft"},
               {"intent", "order"},
               {"priority", r.urgency == Urgency::kRoutine ? "routine" : "urgent"},
               {"code", FlsCode()},
               {"subject", {{"reference", "Patient/" + c_.patient->id}}},
               {"authoredOn", c_.today.ToString()},
               {"reasonCode", json::array({{{"text", reason}}})}};
    if (!c_.fracture_refs.empty()) {
      json refs = json::array();
      for (const auto& ref : c_.fracture_refs) refs.push_back({{"reference", ref}});
      sr["reasonReference"] = refs;
    }
    return json::array({{{"label", "Refer to the fracture liaison service"},
                         {"uuid", NewUuid()},
                         {"isRecommended", true},
                         {"actions", json::array({{{"type", "create"},
                                                   {"description", "Fracture liaison referral"},
                                                   {"resource", sr}}})}}});
  }

  void FlsCard(const Referral& r) {
    std::string body;
    RuleIds rules;
    for (const auto& s : r.reasons) {
      body += (body.empty() ? "" : "\n\n") + s.text;
      rules.insert(rules.end(), s.rules.begin(), s.rules.end());
    }
    Add("fracture_liaison_referral", Severity::kWarning,
        "Fragility fracture without a fracture liaison referral: refer to the FLS", body, rules,
        FlsSuggestion(r));
  }

  bool AnyTreatment() const {
    for (const auto& m : c_.patient->medications)
      if (IsOsteoporosisDrug(m.agent) &&
          (m.status == MedStatus::kActive || m.status == MedStatus::kPlanned))
        return true;
    return false;
  }

  void PatientView() {
    const Assessment& a = *c_.assessment;
    if (a.treatment_indicated.value_or(false) && !AnyTreatment()) {
      std::string body =
          "Osteoporosis treatment is indicated and no osteoporosis medication is "
          "active or planned.";
      RuleIds rules;
      for (const auto& s : a.treatment_reasons) {
        body += "\n\n- " + s.text;
        rules.insert(rules.end(), s.rules.begin(), s.rules.end());
      }
      json sugg = json::array();
      if (!a.agents.empty()) {
        body += "\n\n**Recommended:** ";
        for (size_t i = 0; i < a.agents.size(); ++i) {
          const Regimen& r = a.agents[i];
          body += (i ? "; " : "") + r.agent + (r.dose.empty() ? "" : " " + r.dose) +
                  (r.interval.empty() ? "" : ", " + r.interval);
          rules.insert(rules.end(), r.rules.begin(), r.rules.end());
        }
        if (const Product* p = ProductFor(a.agents.front().agent))
          sugg = json::array({OrderSuggestion(*p, nullptr)});
      }
      Add("treatment_gap", Severity::kWarning,
          "Osteoporosis treatment indicated but none active (risk tier: " +
              std::string(ToString(a.risk_tier)) + ")",
          body, rules, sugg);
    }
    FromWarning("denosumab_dose_overdue");
    if (const Referral* r = a.FindReferral(Destination::kFractureLiaisonService)) FlsCard(*r);
    const bool had_anabolic = std::any_of(
        c_.patient->medications.begin(), c_.patient->medications.end(),
        [](const Medication& m) { return IsAnabolic(m.agent) && m.status != MedStatus::kPlanned; });
    if (had_anabolic) FromWarning("anabolic_requires_antiresorptive_followup");
    FromWarning("drug_holiday_reassessment_due");
  }

  void Orders() {
    for (const DraftOrder& d : c_.drafts) {
      const Agent ag = d.agent;
      if (d.stop) {
        if (ag == Agent::kDenosumab) FromWarning("denosumab_discontinuation_rebound");
        continue;
      }
      if (ag == Agent::kZoledronicAcid) {
        const std::string crcl =
            c_.assessment->derived.crcl_ml_min
                ? "CrCl " + Num1(*c_.assessment->derived.crcl_ml_min) + " mL/min: "
                : "";
        // The critical card acts: remove the draft, or replace it with the engine's alternative.
        json sugg = json::array();
        if (!d.ref.empty())
          sugg.push_back({{"label", "Remove the draft zoledronic acid order"},
                          {"uuid", NewUuid()},
                          {"isRecommended", false},
                          {"actions", json::array({DeleteDraft(d)})}});
        if (const Product* alt = Alternative(Agent::kZoledronicAcid))
          sugg.push_back(OrderSuggestion(*alt, &d, " instead"));
        FromWarning("zoledronic_acid_renal_contraindication", crcl, RenalValues(), sugg);
        FromWarning("renal_function_borderline", crcl, RenalValues());
      }
      if (IsAntiresorptive(ag) || ag == Agent::kRomosozumab) {
        const auto& d2 = c_.assessment->derived;
        FromWarning("hypocalcemia_correct_before_antiresorptive",
                    d2.corrected_calcium_mg_dl
                        ? "Calcium " + Num1(*d2.corrected_calcium_mg_dl) + " mg/dL: "
                        : "",
                    CalciumValues());
        json repletion = json::array();
        if (const Product* p = ProductFor("", "vitamin_d_repletion"))
          repletion.push_back(OrderSuggestion(*p, nullptr));
        FromWarning("vitamin_d_deficiency_correct_first",
                    d2.vitamin_d_25oh_ng_ml
                        ? "25-OH vitamin D " + Num1(*d2.vitamin_d_25oh_ng_ml) + " ng/mL: "
                        : "",
                    VitaminDValues(), repletion);
      }
      if (ag == Agent::kDenosumab)
        FromWarning("denosumab_severe_ckd_hypocalcemia", "", RenalValues());
      if (IsBisphosphonate(ag) && ag != Agent::kZoledronicAcid) {
        json sugg = json::array();
        const ZaStatus za = c_.assessment->za_status;
        // Offered unless the engine rules zoledronic acid out; its own pre-infusion checks
        // (CrCl, calcium, vitamin D) then run when the suggested order is signed.
        if (za != ZaStatus::kContraindicated && za != ZaStatus::kNotIndicated)
          if (const Product* p = ProductFor(ToString(Agent::kZoledronicAcid)))
            sugg.push_back(OrderSuggestion(*p, &d, " instead"));
        FromWarning("oral_bisphosphonate_unsuitable", "", "", sugg);
      }
      if (ag == Agent::kRomosozumab) FromWarning("romosozumab_cardiovascular_contraindication");
      if (ag == Agent::kEstrogen || ag == Agent::kRaloxifene)
        FromWarning("estrogen_raloxifene_not_recommended");
      // Any other reason the engine gives to avoid the drafted agent.
      for (const Avoid& av : c_.assessment->avoid) {
        // A BLOCK, or a course the engine stops (COURSE rules): signing it is a critical card.
        const bool course_stop = std::any_of(av.rules.begin(), av.rules.end(), [](const auto& r) {
          return std::string_view(r).rfind("COURSE-", 0) == 0;
        });
        if (av.agent != ToString(ag) || (!IsBlock(av) && !course_stop)) continue;
        if (cards_.size() > 0 && CoveredByCard(ag)) continue;
        Add("avoid_" + av.agent, Severity::kCritical, av.agent + ": " + av.text, av.text, av.rules);
      }
    }
  }

  // True when a card for the agent already states the block.
  bool CoveredByCard(Agent ag) const {
    static const std::vector<std::pair<Agent, std::string>> kCovers = {
        {Agent::kZoledronicAcid, "zoledronic_acid_renal_contraindication"},
        {Agent::kRomosozumab, "romosozumab_cardiovascular_contraindication"},
        {Agent::kAlendronate, "oral_bisphosphonate_unsuitable"},
        {Agent::kRisedronate, "oral_bisphosphonate_unsuitable"},
        {Agent::kIbandronate, "oral_bisphosphonate_unsuitable"},
        {Agent::kDenosumab, "denosumab_severe_ckd_hypocalcemia"}};
    for (const auto& [a, code] : kCovers)
      if (a == ag && codes_.count(code)) return true;
    return false;
  }

  void Discharge() {
    const Referral* r = c_.assessment->FindReferral(Destination::kFractureLiaisonService);
    if (!r) return;
    bool during_stay = !c_.encounter_start;  // no stay dates: the engine's window decides
    if (c_.encounter_start)
      for (const auto& f : c_.patient->fractures)
        if (f.date && *f.date >= *c_.encounter_start &&
            f.mechanism != FractureMechanism::kHighTrauma)
          during_stay = true;
    if (during_stay) FlsCard(*r);
  }

 private:
  const CardContext& c_;
  std::vector<IssuedCard>* issued_;
  json cards_ = json::array();
  std::set<std::string> codes_;
};

}  // namespace

json BuildCards(const CardContext& c, std::vector<IssuedCard>* issued) {
  // Catalogue §6 CONV-02: no card for a deceased patient.
  if (c.assessment && c.assessment->HasWarning("patient_deceased")) return json::array();
  Builder b(c, issued);
  const std::string& hook = c.service->hook;
  if (hook == "patient-view")
    b.PatientView();
  else if (hook == "order-select" || hook == "order-sign")
    b.Orders();
  else if (hook == "encounter-discharge")
    b.Discharge();
  return b.Cards();
}

}  // namespace bp::cds

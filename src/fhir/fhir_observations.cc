// The FHIR reader, observations: DXA scores (with the bodySite and LOINC 38265-5 decisions),
// labs in canonical units with their reference range, weight and height, FRAX from an
// Observation or a RiskAssessment; DiagnosticReports date and attribute what they list. The
// merge keeps the whole BMD history and the most recent valid value of the rest.
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "fhir/codes.h"
#include "fhir/fhir_reader_internal.h"

namespace bp::fhir_reader {
namespace {

template <typename T>
bool Later(const T& a, const T& b) {  // a is more recent than b
  if (a.date != b.date) return a.date && (!b.date || *a.date > *b.date);
  return a.order > b.order;
}

}  // namespace

// ---- Observation ----

void Reader::DoObservation(const Entry& e) {
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  auto code = Field(e.res, "code");
  auto concepts = ConceptsOf(code);
  const Concept* hit = nullptr;
  for (const Concept* c : concepts)
    if (c->domain == Domain::kDxa || c->domain == Domain::kLab || c->domain == Domain::kVital) {
      hit = c;
      break;
    }
  const std::string text = CodeText(code);
  const std::string lower = fhir::Lower(text);
  const bool frax = !hit && lower.find("frax") != std::string::npos;
  if (!hit && !frax) {
    Skip("Observation");
    return;
  }
  if (hit && hit->domain == Domain::kVital && hit->value == "bmi") {
    Skip("Observation");  // recomputed from weight and height (catalogue §1.2)
    return;
  }
  std::optional<Date> date = EffectiveDate(e.res, e.loc, "effective");
  if (!date) {
    if (auto it = report_date_.find(e.ref); it != report_date_.end()) date = it->second;
  }
  if (!date) {
    if (auto d = ParseFhirDate(Str(e.res, "issued"))) date = d;
  }
  if (AfterAsOf(date, e, "effective[x]")) return;

  auto vq = Field(e.res, "valueQuantity");
  if (!vq) {
    if (Field(e.res, "valueString") || Field(e.res, "valueCodeableConcept"))
      Issue(e.loc + ".value[x]", e.ref + ": a " + text + " value must be a Quantity: not used");
    else if (!Field(e.res, "dataAbsentReason"))
      Issue(e.loc + ".valueQuantity", e.ref + ": no value: not used", Severity::kInfo);
    Ignore(e.ref, "no numeric value");
    return;
  }
  auto value = Number(e.res, e, "valueQuantity.value", Field(*vq, "value"));
  if (!value) {
    Ignore(e.ref, "value missing or not a number");
    return;
  }
  std::string_view unit_raw = Str(*vq, "code");
  if (unit_raw.empty()) unit_raw = Str(*vq, "unit");
  const std::string unit = fhir::NormaliseUnit(unit_raw);
  const auto& params = ct_.params();
  auto in_list = [&](const std::vector<std::string>& l) {
    return std::find(l.begin(), l.end(), unit) != l.end();
  };
  auto bad_unit = [&](const std::string& what) {
    Issue(e.loc + ".valueQuantity.code", e.ref + ": \"" + std::string(unit_raw) +
                                             "\" is not a unit for " + what + ": value unusable");
    Ignore(e.ref, "unknown unit \"" + std::string(unit_raw) + "\" for " + what);
    Trace(kRuleUnits, e.ref);
  };

  if (frax) {
    if (!in_list(params.percent_units)) return bad_unit("a FRAX probability");
    FraxCand f{date, {}, {}, e.ref, order_++};
    const bool hip = lower.find("hip") != std::string::npos;
    if (*value < 0 || *value > 100) {
      Issue(e.loc + ".valueQuantity.value", e.ref + ": FRAX outside 0-100 %: not used");
      return;
    }
    (hip ? f.hip : f.mof) = ToTenths(*value);
    frax_.push_back(f);
    Trace(kRuleFrax, e.ref);
    return;
  }

  switch (hit->domain) {
    case Domain::kDxa: {
      if (!in_list(params.score_units))
        return bad_unit(hit->kind == "t" ? "a T-score" : "a Z-score");
      if (*value < -10 || *value > 10) {
        Issue(e.loc + ".valueQuantity.value",
              e.ref + ": a score outside -10..10 is not plausible: not used");
        Ignore(e.ref, "implausible score");
        return;
      }
      BmdCand b;
      b.date = date;
      b.is_t = hit->kind == "t";
      b.value = ToTenths(*value);
      b.ref = e.ref;
      auto site = Parse<BmdSite>(hit->value).value_or(BmdSite::kLumbarSpine);
      // bodySite decides where the code is not site-specific (femur: neck or total; radius
      // and ulna: the 33 % site or a mislabelled central scan).
      const std::string body = fhir::Lower(CodeText(Field(e.res, "bodySite")));
      bool body_decided = false;
      if (!body.empty()) {
        if (body.find("neck") != std::string::npos)
          site = BmdSite::kFemoralNeck, body_decided = true;
        else if (body.find("hip") != std::string::npos || body.find("total") != std::string::npos)
          site = BmdSite::kTotalHip, body_decided = true;
        else if (body.find("spine") != std::string::npos ||
                 body.find("lumbar") != std::string::npos)
          site = BmdSite::kLumbarSpine, body_decided = true;
        else if (body.find("radius") != std::string::npos ||
                 body.find("forearm") != std::string::npos)
          site = BmdSite::kRadius33, body_decided = true;
        if (body_decided && site != Parse<BmdSite>(hit->value)) Trace(kRuleBodySite, e.ref);
      }
      if (!body_decided && hit->value == "radius_33") {
        // LOINC 38265-5/80932-7 mean the radius and ulna. Synthea sends its single, unspecified
        // DXA T-score under this code with the display "DXA [T-score] Bone density".
        const bool says_forearm = lower.find("radius") != std::string::npos ||
                                  lower.find("forearm") != std::string::npos ||
                                  lower.find("ulna") != std::string::npos;
        if (!says_forearm) {
          site = BmdSite::kFemoralNeck;
          Trace(kRuleTscore38265, e.ref);
          Issue(e.loc + ".code",
                e.ref + ": LOINC " +
                    std::string(Codings(code).empty() ? "" : Codings(code)[0].code) + " (\"" +
                    text +
                    "\") names no site: taken as an unspecified central DXA site, recorded as "
                    "femoral_neck (FHIR-TSCORE-38265-5)",
                Severity::kInfo);
        }
      }
      b.site = site;
      if (auto it = report_of_.find(e.ref); it != report_of_.end())
        b.extra_refs.push_back(it->second);
      bmd_.push_back(std::move(b));
      return;
    }
    case Domain::kLab: {
      auto test = Parse<LabTest>(hit->value);
      const LabUnits* lu = nullptr;
      for (const auto& l : kb_.lab_units)
        if (l.test == hit->value) lu = &l;
      if (!test || !lu) {
        Issue(e.loc + ".code",
              e.ref + ": no unit table for " + std::string(hit->value) + ": not used");
        return;
      }
      const UnitDef* ud = nullptr;
      for (const auto& a : lu->accepted)
        if (fhir::NormaliseUnit(a.unit) == unit) ud = &a;
      if (!ud) return bad_unit(std::string(hit->value));
      LabCand l;
      l.test = *test;
      l.value = *value * ud->factor;
      l.date = date;
      l.ref = e.ref;
      l.order = order_++;
      if (ud->factor != 1) Trace(kRuleUnits, e.ref);
      if (hit->lab_code_rule) Trace(kRuleLabCodes, e.ref);
      for (element rr : Items(e.res, "referenceRange")) {
        auto conv = [&](const char* k) -> std::optional<double> {
          auto q = Field(rr, k);
          if (!q) return std::nullopt;
          std::string_view u = Str(*q, "code");
          if (u.empty()) u = Str(*q, "unit");
          double v = 0;
          auto f = Field(*q, "value");
          if (!f || f->get_double().get(v)) return std::nullopt;
          if (!u.empty() && fhir::NormaliseUnit(u) != unit) return std::nullopt;
          return v * ud->factor;
        };
        l.low = conv("low");
        l.high = conv("high");
        break;
      }
      labs_.push_back(l);
      return;
    }
    case Domain::kVital: {
      const bool weight = hit->value == "weight";
      const auto& table = weight ? params.weight_units : params.height_units;
      const fhir::UnitFactor* uf = nullptr;
      for (const auto& u : table)
        if (u.unit == unit) uf = &u;
      if (!uf) return bad_unit(weight ? "body weight" : "body height");
      const double v = *value * uf->factor;
      if (uf->factor != 1) Trace(kRuleUnits, e.ref);
      if (v <= 0 || v > (weight ? 400 : 260)) {
        Issue(e.loc + ".valueQuantity.value", e.ref + ": implausible value: not used");
        Ignore(e.ref, "implausible value");
        return;
      }
      (weight ? weight_ : height_).push_back({v, date, e.ref, order_++});
      return;
    }
    default:
      Skip("Observation");
  }
}

// ---- DiagnosticReport: dates and provenance for the observations it lists ----

void Reader::DoDiagnosticReport(const Entry& e) {
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  bool dxa = false;
  for (const Concept* c : ConceptsOf(Field(e.res, "code")))
    dxa = dxa || c->domain == Domain::kDxaPanel;
  auto results = Items(e.res, "result");
  if (!dxa && results.empty()) {
    Skip("DiagnosticReport");
    return;
  }
  std::optional<Date> date = EffectiveDate(e.res, e.loc, "effective");
  size_t i = 0;
  for (element r : results) {
    const std::string ref = ResolveRef(Str(r, "reference"));
    if (ref.empty() || !by_ref_.count(ref)) {
      if (dxa || !ref.empty())
        Issue(e.loc + ".result[" + std::to_string(i) + "].reference",
              e.ref + ": reference \"" + std::string(Str(r, "reference")) +
                  "\" does not resolve in this input");
    } else {
      report_date_.emplace(ref, date);
      if (dxa) report_of_.emplace(ref, e.ref);
    }
    ++i;
  }
  if (!dxa) Skip("DiagnosticReport");
}

// ---- RiskAssessment (FRAX) ----

void Reader::DoRiskAssessment(const Entry& e) {
  const std::string what =
      fhir::Lower(CodeText(Field(e.res, "method")) + " " + CodeText(Field(e.res, "code")));
  if (what.find("frax") == std::string::npos) {
    Skip("RiskAssessment");
    return;
  }
  const std::string_view status = Str(e.res, "status");
  if (status == "entered-in-error" || status == "cancelled") {
    Ignore(e.ref, "status " + std::string(status));
    return;
  }
  FraxCand f;
  f.ref = e.ref;
  f.order = order_++;
  f.date = EffectiveDate(e.res, e.loc, "occurrence");
  if (AfterAsOf(f.date, e, "occurrence[x]")) return;
  size_t i = 0;
  for (element p : Items(e.res, "prediction")) {
    const std::string outcome = fhir::Lower(CodeText(Field(p, "outcome")));
    const std::string path = e.loc + ".prediction[" + std::to_string(i++) + "].probabilityDecimal";
    auto v = Field(p, "probabilityDecimal");
    double d = 0;
    if (!v || v->get_double().get(d)) {
      Issue(path, e.ref + ": no probabilityDecimal (a number): prediction not used");
      continue;
    }
    // probabilityDecimal is a fraction (0..1); FRAX is reported in percent.
    if (d < 0 || d > 1) {
      Issue(path, e.ref + ": probabilityDecimal must be between 0 and 1: not used");
      continue;
    }
    const Tenths pct = ToTenths(d * 100);
    if (outcome.find("hip") != std::string::npos)
      f.hip = pct;
    else if (outcome.find("major") != std::string::npos ||
             outcome.find("osteoporotic") != std::string::npos)
      f.mof = pct;
    else
      Issue(e.loc + ".prediction.outcome",
            e.ref + ": outcome \"" + outcome + "\" is neither hip nor major osteoporotic",
            Severity::kInfo);
  }
  if (!f.hip && !f.mof) {
    Ignore(e.ref, "no usable FRAX prediction");
    return;
  }
  frax_.push_back(f);
  Trace(kRuleFrax, e.ref);
}

// ---- merging ----

void Reader::FinishBmd() {
  // One measurement per (date, site), T and Z together; the whole history kept, oldest first.
  std::stable_sort(bmd_.begin(), bmd_.end(), [](const BmdCand& a, const BmdCand& b) {
    if (a.date != b.date) return !a.date || (b.date && *a.date < *b.date);
    return static_cast<int>(a.site) < static_cast<int>(b.site);
  });
  Patient& p = out_.patient;
  for (const BmdCand& b : bmd_) {
    size_t idx = p.bmd.size();
    for (size_t i = 0; i < p.bmd.size(); ++i)
      if (p.bmd[i].date == b.date && p.bmd[i].site == b.site &&
          !(b.is_t ? p.bmd[i].t_score : p.bmd[i].z_score))
        idx = i;
    if (idx == p.bmd.size()) p.bmd.push_back({b.date, b.site, {}, {}, {}, {}});
    (b.is_t ? p.bmd[idx].t_score : p.bmd[idx].z_score) = b.value;
    const std::string base = "/bmd/" + std::to_string(idx);
    auto& prov = out_.provenance[base + (b.is_t ? "/t_score" : "/z_score")];
    prov.push_back(b.ref);
    auto& all = out_.provenance[base];
    all.push_back(b.ref);
    for (const auto& r : b.extra_refs) {
      if (std::find(all.begin(), all.end(), r) == all.end()) all.push_back(r);
    }
  }
}

void Reader::FinishLabs() {
  // The most recent valid value per test wins; older ones are history, not used.
  std::map<LabTest, const LabCand*> latest;
  std::map<LabTest, int> count;
  for (const LabCand& l : labs_) {
    ++count[l.test];
    auto it = latest.find(l.test);
    if (it == latest.end() || Later(l, *it->second)) latest[l.test] = &l;
  }
  Patient& p = out_.patient;
  const auto& stale = ct_.params().stale_after_days;
  for (const auto& [test, l] : latest) {
    Lab lab;
    lab.test = test;
    lab.value = l->value;
    lab.date = l->date;
    lab.reference_low = l->low;
    lab.reference_high = l->high;
    lab.source = l->ref;
    const std::string ptr = "/labs/" + std::to_string(p.labs.size());
    out_.provenance[ptr] = {l->ref};
    p.labs.push_back(lab);
    if (count[test] > 1) Trace(kRuleLatest, l->ref);
    const std::string name(ToString(test));
    if (auto s = stale.find(name); s != stale.end() && l->date) {
      const Date ref = opt_.as_of.value_or(Date::TodayUtc());
      if (DaysBetween(*l->date, ref) > s->second) {
        Issue(ptr,
              name + " from " + l->ref + " is dated " + l->date->ToString() + ", " +
                  std::to_string(DaysBetween(*l->date, ref)) + " days before " + ref.ToString() +
                  ": stale (older than " + std::to_string(s->second) +
                  " days) for checks that need a recent value",
              Severity::kInfo);
        Trace(kRuleLatest, l->ref);
      }
    }
  }
  auto pick = [&](std::vector<ValueCand>& v, std::optional<double>* field, const char* ptr) {
    const ValueCand* best = nullptr;
    for (const auto& c : v)
      if (!best || Later(c, *best)) best = &c;
    if (!best) return;
    *field = best->value;
    out_.provenance[ptr] = {best->ref};
    if (v.size() > 1) Trace(kRuleLatest, best->ref);
  };
  pick(weight_, &p.weight_kg, "/weight_kg");
  pick(height_, &p.height_cm, "/height_cm");
  if (!frax_.empty()) {
    // The most recent FRAX result (MOF and hip may come in separate Observations on one date).
    std::sort(frax_.begin(), frax_.end(),
              [](const FraxCand& a, const FraxCand& b) { return Later(b, a); });
    const FraxCand& last = frax_.back();
    Frax f;
    f.date = last.date;
    std::vector<std::string> refs;
    for (const FraxCand& c : frax_) {
      if (c.date != last.date) continue;
      if (c.mof) f.major_osteoporotic_pct = c.mof;
      if (c.hip) f.hip_pct = c.hip;
      refs.push_back(c.ref);
    }
    p.frax = f;
    out_.provenance["/frax"] = refs;
  }
}

}  // namespace bp::fhir_reader

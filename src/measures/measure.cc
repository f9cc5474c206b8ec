#include "measures/measure.h"

#include <algorithm>

namespace bp::measures {

PatientResult Measure::EvaluatePatient(const PatientRecord& p, const MedicationIndex& meds,
                                       const MeasurementPeriod& mp, bool evidence) const {
  const Criteria c = Evaluate(p, meds, mp);
  const bool ip = IsTrue(c.initial_population);
  const bool den = ip && IsTrue(c.denominator);
  const bool denex = den && IsTrue(c.denominator_exclusion);
  const bool numer = den && !denex && IsTrue(c.numerator);
  const bool numex = numer && IsTrue(c.numerator_exclusion);
  const bool denexcep = den && !denex && !numer && IsTrue(c.denominator_exception);
  PatientResult r;
  r.patient_id = p.id;
  r.member.reserve(k_.populations.size());
  std::vector<std::string> ev;
  const auto add = [&ev, evidence](const Evidence& e) {
    if (!evidence) return;
    for (const Resource* x : e) ev.push_back(x->Reference());
  };
  for (const auto& pop : k_.populations) {
    bool m = false;
    if (pop.code == "initial-population") {
      m = ip;
      if (m) add(c.ip_evidence);
    } else if (pop.code == "denominator") {
      m = den;
    } else if (pop.code == "denominator-exclusion") {
      m = denex;
      if (m) add(c.denex_evidence);
    } else if (pop.code == "numerator") {
      m = numer;
      if (m) add(c.numer_evidence);
    } else if (pop.code == "numerator-exclusion") {
      m = numex;
      if (m) add(c.numex_evidence);
    } else if (pop.code == "denominator-exception") {
      m = denexcep;
      if (m) add(c.denexcep_evidence);
    }
    r.member.push_back(m);
  }
  if (!evidence) return r;
  if (!p.id.empty()) ev.insert(ev.begin(), "Patient/" + p.id);
  // Keep first-seen order, drop repeats.
  std::vector<std::string> uniq;
  for (auto& s : ev)
    if (std::find(uniq.begin(), uniq.end(), s) == uniq.end()) uniq.push_back(std::move(s));
  r.evaluated_resources = std::move(uniq);
  return r;
}

std::vector<std::string> SupportedMeasures() { return {"CMS249", "CMS645"}; }

Result<std::unique_ptr<Measure>> MakeMeasure(std::string_view id) {
  std::string up(id);
  for (auto& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (up == "CMS249") return MakeCms249();
  if (up == "CMS645") return MakeCms645();
  return Error{"unsupported", "measure", "unknown measure (supported: CMS249, CMS645)"};
}

}  // namespace bp::measures

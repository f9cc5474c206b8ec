// The FHIR path end to end (catalogue §6 CONV-01, CALC-09, CONV-02, COURSE-01): a Synthea-style
// bundle read by the FHIR reader and decided by the engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "fhir/fhir_reader.h"
#include "knowledge/loader.h"
#include "rules/engine.h"

namespace bp {
namespace {

const Date kAsOf = Date::FromYmd(2026, 3, 1);

Assessment AssessBundle(const std::string& entries) {
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"collection","entry":[)" + entries + "]}";
  FhirOptions opt;
  opt.as_of = kAsOf;
  auto x = ReadFhirBundle(bundle, EmbeddedKnowledge(), opt);
  EXPECT_TRUE(x) << (x ? "" : x.error().message);
  static const Engine engine = std::move(Engine::Create(EmbeddedKnowledge())).value();
  return engine.Assess(x->patient, kAsOf);
}

const char* kWoman =
    R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-04-01"}})";
const char* kHip =
    R"({"resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"5913000","display":"Fracture of neck of femur"}]},"onsetDateTime":"2026-01-12T10:00:00Z"}})";

TEST(CourseFhir, SiteCodedHipFractureIsAPresumedFragilityFractureWithFls) {
  const Assessment a = AssessBundle(std::string(kWoman) + "," + kHip);
  EXPECT_EQ(a.treatment_indicated, true);
  EXPECT_TRUE(a.HasWarning("fracture_mechanism_unknown"));
  const Referral* fls = a.FindReferral(Destination::kFractureLiaisonService);
  ASSERT_NE(fls, nullptr);
  EXPECT_EQ(fls->urgency, Urgency::kRoutine);
  EXPECT_TRUE(std::any_of(a.missing_data.begin(), a.missing_data.end(), [](const MissingData& m) {
    return m.field.find("mechanism") != std::string_view::npos;
  }));
}

TEST(CourseFhir, DeceasedPatientGetsPatientDeceasedAndNothingElse) {
  const Assessment a = AssessBundle(
      R"({"resource":{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-04-01","deceasedDateTime":"2026-02-01"}})"
      "," +
      std::string(kHip));
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_EQ(a.warnings[0].code, "patient_deceased");
  EXPECT_TRUE(a.referrals.empty());
  EXPECT_TRUE(a.agents.empty());
  EXPECT_EQ(a.therapy_recommended, TherapyClass::kNone);
  EXPECT_EQ(a.treatment_indicated, false);
}

TEST(CourseFhir, AdministrationsCountDosesForTheCourseLimit) {
  std::string entries = kWoman;
  // Twelve monthly romosozumab administrations, the order still active.
  for (int i = 0; i < 12; ++i) {
    const Date d = Date::FromYmd(2025, 3, 1).AddMonths(i);
    entries +=
        R"(,{"resource":{"resourceType":"MedicationAdministration","id":"a)" + std::to_string(i) +
        R"(","status":"completed","medicationCodeableConcept":{"text":"romosozumab-aqqg 105 MG/1.17ML Prefilled Syringe"},"effectiveDateTime":")" +
        d.ToString() + R"("}})";
  }
  entries +=
      R"(,{"resource":{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","medicationCodeableConcept":{"text":"romosozumab-aqqg 105 MG/1.17ML Prefilled Syringe"},"authoredOn":"2025-02-20"}})";
  entries +=
      R"(,{"resource":{"resourceType":"Condition","id":"c2","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"M80.08XA"}]},"onsetDateTime":"2025-01-10"}})";
  const Assessment a = AssessBundle(entries);
  ASSERT_FALSE(a.current.empty());
  const auto it = std::find_if(a.current.begin(), a.current.end(), [](const CurrentCourse& c) {
    return c.agent == Agent::kRomosozumab;
  });
  ASSERT_NE(it, a.current.end());
  EXPECT_EQ(it->doses_received, 12);
  EXPECT_EQ(it->doses_source, DosesSource::kCounted);
  EXPECT_NE(it->decision, CourseAction::kContinue);
  EXPECT_TRUE(std::any_of(a.avoid.begin(), a.avoid.end(),
                          [](const Avoid& v) { return v.agent == "romosozumab"; }));
  EXPECT_TRUE(a.HasWarning("romosozumab_dose_limit_reached"));
}

// COURSE-21 from EHR data: a drug holiday after five years of alendronate, and the total hip
// BMD (g/cm2) of two scans compared against the facility's least significant change, which
// the BMD Observation carries as an extension (docs/fhir.md). Both sides of the LSC.
std::string HolidayWithHipScans(const std::string& later_bmd, bool lsc = true) {
  auto bmd = [lsc](const std::string& id, const std::string& date, const std::string& value) {
    return R"(,{"resource":{"resourceType":"Observation","id":")" + id +
           R"(","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"38261-4"}]},"effectiveDateTime":")" +
           date + R"(","valueQuantity":{"value":)" + value +
           R"(,"unit":"g/cm2","system":"http://unitsofmeasure.org","code":"g/cm2"})" +
           (lsc ? R"(,"extension":[{"url":"https://bonepath.org/fhir/StructureDefinition/least-significant-change","valueQuantity":{"value":0.030,"code":"g/cm2"}}])"
                : "") +
           "}}";
  };
  return std::string(kWoman) +
         R"(,{"resource":{"resourceType":"MedicationStatement","id":"s1","status":"completed","medicationCodeableConcept":{"text":"alendronate sodium 70 MG Oral Tablet"},"effectivePeriod":{"start":"2018-01-10","end":"2023-01-20"}}})" +
         R"(,{"resource":{"resourceType":"Observation","id":"t1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"38264-8"}]},"effectiveDateTime":"2023-01-15","valueQuantity":{"value":-1.8,"code":"1"}}})" +
         bmd("b1", "2023-01-15", "0.800") + bmd("b2", "2025-12-01", later_bmd);
}

TEST(CourseFhir, HolidayRestartsOnHipBmdLossOfAtLeastTheFacilitysLsc) {
  const Assessment lost = AssessBundle(HolidayWithHipScans("0.770"));  // 0.030 >= LSC 0.030
  EXPECT_TRUE(lost.HasWarning("drug_holiday_restart_due"));
  const Assessment kept = AssessBundle(HolidayWithHipScans("0.771"));  // 0.029 < 0.030
  EXPECT_FALSE(kept.HasWarning("drug_holiday_restart_due"));
  EXPECT_TRUE(kept.HasWarning("drug_holiday_in_progress"));
  // Without the facility's LSC the profile's fallback (4 % of 0.800) decides: 0.030 is 3.75 %.
  const Assessment fallback = AssessBundle(HolidayWithHipScans("0.770", false));
  EXPECT_FALSE(fallback.HasWarning("drug_holiday_restart_due"));
  EXPECT_TRUE(fallback.HasWarning("drug_holiday_in_progress"));
}

}  // namespace
}  // namespace bp

// The closed vocabularies of the contracts (patient.schema.json and assessment.schema.json),
// with their stable wire names. ToString gives the contract's spelling; Parse<E> reads it back.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace bp {

enum class Sex { kFemale, kMale, kUnknown };
enum class Menopause { kPre, kPeri, kPost, kUnknown };
enum class BmdSite { kLumbarSpine, kTotalHip, kFemoralNeck, kRadius33 };
enum class FractureSite {
  kHip,
  kVertebral,
  kWrist,
  kForearm,
  kHumerus,
  kPelvis,
  kRib,
  kFemur,
  kTibia,
  kAnkle,
  kClavicle,
  kOther
};
enum class FractureMechanism { kFragility, kHighTrauma, kUnknown };
enum class LabTest {
  kCreatinine,
  kEgfr,
  kCalcium,
  kIonizedCalcium,
  kAlbumin,
  kVitaminD25oh,
  kAlkalinePhosphatase,
  kPhosphate,
  kPth,
  kTsh,
  kProlactin,
  kUrineCalcium24h,
  kP1np,
  kCtx
};
enum class ConditionCode {
  kOsteoporosis,
  kOsteopenia,
  kHyperparathyroidism,
  kHyperthyroidism,
  kHypercalciuria,
  kHyperprolactinemia,
  kHypogonadism,
  kCushingSyndrome,
  kMalabsorption,
  kCeliacDisease,
  kInflammatoryBowelDisease,
  kBariatricSurgery,
  kChronicKidneyDisease,
  kDialysis,
  kKidneyTransplant,
  kOrganTransplant,
  kEsophagealDisorder,
  kUpperGiDisorder,
  kHypocalcemia,
  kPagetDisease,
  kBoneMetastases,
  kSkeletalMalignancy,
  kMultipleMyeloma,
  kPriorSkeletalRadiation,
  kOpenEpiphyses,
  kHereditaryOsteosarcomaRisk,
  kMyocardialInfarction,
  kStroke,
  kBreastCancer,
  kProstateCancer,
  kRheumatoidArthritis,
  kType1Diabetes,
  kAnorexiaNervosa,
  kPregnancy,
  kOsteonecrosisOfJaw,
  kAtypicalFemoralFracture,
  kAcuteKidneyInjury,
  kVenousThromboembolism,
  kHypophosphatasia,
  kOsteomalacia,
  kPrimaryHyperparathyroidism,
  kSecondaryHyperparathyroidism,
  kBacteremiaOrEndocarditis,
  kActiveMalignancy
};
enum class Agent {
  kAlendronate,
  kRisedronate,
  kIbandronate,
  kZoledronicAcid,
  kDenosumab,
  kTeriparatide,
  kAbaloparatide,
  kRomosozumab,
  kRaloxifene,
  kEstrogen,
  kCalcitonin,
  kGlucocorticoid,
  kAromataseInhibitor,
  kGnrhAgonist,
  kAndrogenDeprivationTherapy,
  kImmunosuppressant,
  kCalciumSupplement,
  kVitaminDSupplement
};
enum class MedStatus { kActive, kCompleted, kStopped, kPlanned };
enum class StopReason {
  kIntolerance,
  kAdverseEvent,
  kCourseComplete,
  kDrugHoliday,
  kPatientChoice,
  kOther
};
enum class Route { kOral, kIntravenous, kSubcutaneous };
enum class Intolerance {
  kOralBisphosphonate,
  kZoledronicAcid,
  kDenosumab,
  kTeriparatide,
  kAbaloparatide,
  kRomosozumab
};
enum class Deformity { kNone, kSignificant, kProgressiveKyphosis };
enum class SpinePain { kNone, kImproving, kPersistent, kSevereWorsening };
enum class RedFlag {
  kMalignancyHistory,
  kUnexplainedWeightLoss,
  kFeverOrInfection,
  kNightPain,
  kAgeUnder50NoTrauma
};
enum class Destination {
  kOsteoporosisSpecialist,
  kFractureLiaisonService,
  kSpineSurgery,
  kInterventionalRadiology,
  kPainManagement,
  kInfusionCenter,
  kNephrology,
  kOncology,
  kPrimaryCare,
  kDental,
  kObstetrics,
  kInfectiousDisease,
  kOrthopedics
};

// Output vocabularies.
enum class RiskTier { kNotIndicated, kHigh, kVeryHigh, kIndeterminate };
enum class TherapyClass {
  kNone,
  kOralBisphosphonate,
  kIvZoledronicAcid,
  kDenosumab,
  kAnabolic,
  kSpecialistDecision
};
enum class ZaStatus {
  kEligible,
  kEligibleAfterCorrection,
  kContraindicated,
  kDeferred,
  kInsufficientData,
  kNotIndicated
};
enum class PreCheckKind {
  kCreatinineClearance,
  kAcuteRenalImpairment,
  kSerumCalcium,
  kVitaminD,
  kDosingInterval,
  kHypersensitivity,
  kPregnancy,
  kAcuteCondition,
  kHydration,
  kDentalReview,
  kAcetaminophenProphylaxis
};
enum class CheckStatus { kPass, kFail, kUnknown, kAdvice };
// therapy.current (catalogue §6 COURSE-03, COURSE-04).
enum class CourseState { kActive, kOverdue, kHeld, kHoliday, kCompleted, kStopped };
enum class CourseAction { kContinue, kStop, kSwitch, kHoliday, kResume, kTransition, kHold, kNone };
enum class DosesSource { kRecorded, kCounted, kEstimated };
enum class Urgency { kRoutine, kUrgent, kImmediate };  // ordered: higher is more urgent
enum class Severity { kInfo, kWarning, kCritical };
enum class Outcome { kFired, kNotFired, kInsufficientData };

template <typename E>
struct EnumNames;  // specialised in enums.cc: std::span<const std::pair<E, std::string_view>>

template <typename E>
std::string_view ToString(E e);
template <typename E>
std::optional<E> Parse(std::string_view s);
// Every wire name of E, in declaration order (for error messages and renderers).
template <typename E>
std::span<const std::pair<E, std::string_view>> AllNames();

}  // namespace bp

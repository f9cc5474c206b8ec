// The commands that live in the companion executable bonepath-server (see cmd_server.cc): their
// names and one-line descriptions, shared by bonepath (which lists and forwards them) and
// bonepath-server (which runs them), so that both show the same help.
#pragma once

namespace bp::cli {

inline constexpr const char* kServerExecutable = "bonepath-server";
inline constexpr const char* kServeDescription = "Run the HL7 CDS Hooks 2.0 service";
inline constexpr const char* kFeedbackDescription = "CDS Hooks card feedback";
inline constexpr const char* kRegistryDescription =
    "The infusion and injection registry: doses due, pre-infusion checklists, alerts";

}  // namespace bp::cli

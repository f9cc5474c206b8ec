// Where bonepath's companion files are: the parts of the product that are loaded or started only
// when a command needs them, so that `bonepath assess` starts without loading what it does not use
// (libpq and its Kerberos/LDAP/GnuTLS tree alone cost ~5 ms of dynamic loading per process).
//
//   bonepath-postgres.so   the PostgreSQL adapter of the storage port (dlopen, postgresql:// URLs)
//   bonepath-server        the CDS Hooks service and its feedback report (`bonepath serve`,
//                          `bonepath feedback`; exec'd by bonepath)
//
// Search order: $BONEPATH_LIBEXEC_DIR when set (and nothing else); else the directory of the
// running executable (the build tree, or a flat install), then <that directory>/../lib/bonepath
// (an install by `cmake --install`), then the build directory the binary was built in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bp::platform {

// The full path of the companion `file_name`, or nullopt when no search directory has it.
std::optional<std::string> FindCompanion(std::string_view file_name);

// The directories searched, colon-separated, for error messages.
std::string CompanionSearchPath();

}  // namespace bp::platform

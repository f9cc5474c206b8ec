# The CDS Hooks service: bp_cdshooks (request/response mapping, no sockets) and bp_server (HTTP
# transport, JWT verification, FHIR fetch, feedback store). Included by the top-level
# CMakeLists.txt after the bonepath executable and the test targets are defined.
option(BONEPATH_SERVER "Build the CDS Hooks service (bonepath serve)" ON)
if(NOT BONEPATH_SERVER)
  return()
endif()
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
pkg_check_modules(BP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# libjwt signs the tests' and the load generator's tokens; the service itself does not link it.
pkg_check_modules(BP_LIBJWT REQUIRED IMPORTED_TARGET libjwt)
# ES384 checks (src/server/jwt_verifier.cc): Nettle's P-384 (hogweed) with GMP for its numbers.
pkg_check_modules(BP_HOGWEED REQUIRED IMPORTED_TARGET hogweed nettle gmp)

bp_library(bp_cdshooks cdshooks)
target_link_libraries(bp_cdshooks PUBLIC bp_fhir bp_knowledge bp_rules bp_domain bp_common
  PRIVATE nlohmann_json::nlohmann_json fmt::fmt OpenSSL::Crypto)

bp_library(bp_server server)
target_link_libraries(bp_server PUBLIC bp_cdshooks bp_registry bp_io bp_rules bp_domain bp_common
  PkgConfig::BP_HTTPLIB Threads::Threads
  PRIVATE PkgConfig::BP_HOGWEED OpenSSL::Crypto OpenSSL::SSL CURL::libcurl
  SQLite::SQLite3
  spdlog::spdlog nlohmann_json::nlohmann_json fmt::fmt)
# The service database (feedback, migrations/0100_cds_feedback.sql).
target_link_libraries(bp_server PUBLIC bp_storage)
target_compile_definitions(bp_server PRIVATE BONEPATH_VERSION="${PROJECT_VERSION}")

# bonepath-server: `bonepath serve`, `bonepath feedback` and `bonepath registry`, which bonepath
# execs (src/cli/cmd_server.cc). Same command-line front end (main.cc), only those commands.
add_executable(bonepath_server ${CMAKE_SOURCE_DIR}/src/cli/main.cc
  ${CMAKE_SOURCE_DIR}/src/cli/input.cc ${bp_server_cli_srcs})
target_link_libraries(bonepath_server PRIVATE ${bp_allocator} bp_server SQLite::SQLite3 spdlog::spdlog
  CLI11::CLI11 fmt::fmt)
target_compile_definitions(bonepath_server PRIVATE BONEPATH_VERSION="${PROJECT_VERSION}")
set_target_properties(bonepath_server PROPERTIES OUTPUT_NAME bonepath-server
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
add_dependencies(bonepath bonepath_server bonepath_postgres)

if(TARGET bonepath_unit_tests)
  # jwt_verifier_test signs tokens with tests/support/jwt_keys.h (libjwt, OpenSSL).
  target_link_libraries(bonepath_unit_tests PRIVATE bp_server PkgConfig::BP_LIBJWT OpenSSL::Crypto)
  target_compile_definitions(bonepath_unit_tests PRIVATE BONEPATH_HAVE_SERVER=1)
endif()
if(TARGET bonepath_integration_tests)
  # The CDS integration tests start their own FHIR endpoint (httplib) and sign JWTs (libjwt,
  # OpenSSL) to drive the real `bonepath serve`.
  target_link_libraries(bonepath_integration_tests PRIVATE PkgConfig::BP_HTTPLIB
    PkgConfig::BP_LIBJWT OpenSSL::Crypto Threads::Threads)
  target_compile_definitions(bonepath_integration_tests PRIVATE BONEPATH_HAVE_SERVER=1
    BONEPATH_SERVER_BINARY="$<TARGET_FILE:bonepath_server>")
  add_dependencies(bonepath_integration_tests bonepath_server bonepath_postgres)
endif()

# bench/cds_load.sh's load generator: fresh ES384 JWTs per call (tests/support/jwt_keys.h).
if(BONEPATH_BENCH)
  add_executable(cds_loadgen ${CMAKE_SOURCE_DIR}/bench/cds_loadgen.cc)
  target_include_directories(cds_loadgen PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(cds_loadgen PRIVATE PkgConfig::BP_HTTPLIB PkgConfig::BP_LIBJWT
    OpenSSL::Crypto Threads::Threads nlohmann_json::nlohmann_json)
  set_target_properties(cds_loadgen PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endif()

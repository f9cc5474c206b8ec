#include "server/fhir_client.h"

#include <curl/curl.h>

#include <algorithm>

namespace bp::server {
namespace {

struct Sink {
  std::string body;
  size_t max = 0;
  bool overflow = false;
};

size_t Write(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  if (s->body.size() + size * n > s->max) {
    s->overflow = true;
    return 0;  // aborts the transfer
  }
  s->body.append(data, size * n);
  return size * n;
}

}  // namespace

void CurlFhirSource::GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }

Result<std::string> CurlFhirSource::Get(const std::string& url, const std::string& bearer,
                                        std::chrono::milliseconds budget) const {
  const long timeout_ms = std::max(1L, std::min(timeout_ms_, static_cast<long>(budget.count())));
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Error{cds::kErrUnavailable, "fhirServer", "not an http(s) URL"};
  CURL* h = curl_easy_init();
  if (!h) return Error{cds::kErrUnavailable, "fhirServer", "cannot create a curl handle"};
  Sink sink;
  sink.max = max_bytes_;
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/fhir+json");
  std::string auth;
  if (!bearer.empty()) {
    auth = "Authorization: Bearer " + bearer;
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms / 2 > 0 ? timeout_ms / 2 : 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a token must not follow a redirect
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (sink.overflow)
    return Error{cds::kErrUnavailable, "fhirServer", "response larger than the limit"};
  if (rc != CURLE_OK)
    return Error{cds::kErrUnavailable, "fhirServer",
                 std::string("fetch failed: ") + curl_easy_strerror(rc)};
  if (status < 200 || status >= 300)
    return Error{cds::kErrUnavailable, "fhirServer",
                 "FHIR server answered HTTP " + std::to_string(status)};
  return std::move(sink.body);
}

Result<std::string> FetchUrl(const std::string& url) { return CurlFhirSource().Get(url, ""); }

}  // namespace bp::server

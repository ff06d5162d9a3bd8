#include "roundtable/http/base_url.hpp"

namespace rt::http {
namespace {

bool visible_ascii(std::string_view text) {
  for (char c : text)
    if (c <= ' ' || c > '~') return false;
  return true;
}

size_t scheme_length(std::string_view url) {
  if (url.starts_with("http://")) return 7;
  if (url.starts_with("https://")) return 8;
  return 0;
}

}  // namespace

std::optional<BaseUrl> split_base_url(std::string_view url) {
  size_t scheme = scheme_length(url);
  if (scheme == 0 || url.find_first_of("?#") != std::string_view::npos || !visible_ascii(url)) return std::nullopt;
  size_t path_at = url.find('/', scheme);
  BaseUrl base{std::string(url.substr(0, path_at)), path_at == std::string_view::npos ? "" : std::string(url.substr(path_at))};
  if (base.origin.size() == scheme) return std::nullopt;
  while (!base.path.empty() && base.path.back() == '/') base.path.pop_back();
  return base;
}

BaseUrl without_trailing_version(BaseUrl base, std::string_view version) {
  if (base.path.ends_with(version)) base.path.resize(base.path.size() - version.size());
  return base;
}

}  // namespace rt::http

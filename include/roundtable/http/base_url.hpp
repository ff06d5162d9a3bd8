#pragma once
// A base URL such as GATEWAY_URL: where to connect, and the path its routes hang under
// (docs/contract.md §5: `POST <GATEWAY_URL>/webhook`), so a gateway behind a proxy's path prefix
// is reached where it is.
#include <optional>
#include <string>
#include <string_view>

namespace rt::http {

struct BaseUrl {
  std::string origin;  // scheme://authority, what a client connects to
  std::string path;    // "" or "/prefix", never ending in '/'
  std::string route(std::string_view suffix) const { return path + std::string(suffix); }
};

// nullopt unless http:// or https:// with an authority, no query or fragment, and a path of
// visible ASCII without spaces. Trailing slashes are dropped.
std::optional<BaseUrl> split_base_url(std::string_view url);

// For an API whose routes all begin with `version` (say "/v1"): a base path that already ends in
// it, as OpenAI clients' base URLs do, is not given it twice.
BaseUrl without_trailing_version(BaseUrl base, std::string_view version);

}  // namespace rt::http

// knight new: a knight folder from the template.
#include <fstream>
#include <sstream>
#include <system_error>

#include "roundtable/cli/views.hpp"
#include "roundtable/contract/identifiers.hpp"

namespace rt::cli {

namespace fs = std::filesystem;

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) text.replace(pos, from.size(), to);
}

Status fill_placeholders(const fs::path& folder, const std::string& name, const std::string& domain) {
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.find('\0') != std::string::npos) continue;  // binary: left as it is
    std::string before = text;
    replace_all(text, "__NAME__", name);
    replace_all(text, "__DOMAIN__", domain);
    if (text == before) continue;
    std::ofstream out(entry.path(), std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return make_error(ErrorCode::io_error, "cannot write " + entry.path().string());
  }
  return {};
}

}  // namespace

Result<fs::path> scaffold_knight(const fs::path& knights_dir, const std::string& name, const std::string& domain) {
  if (!contract::is_identifier(name))
    return make_error(ErrorCode::invalid_params, "knight name '" + name + "' is not an identifier ([a-z0-9][a-z0-9-]*)");
  if (!contract::is_identifier(domain))
    return make_error(ErrorCode::invalid_params, "domain '" + domain + "' is not an identifier ([a-z0-9][a-z0-9-]*)");
  if (name == "template") return make_error(ErrorCode::invalid_params, "'template' is the template's own folder, not a knight name");
  fs::path templ = knights_dir / "template", target = knights_dir / name;
  if (!fs::is_directory(templ)) return make_error(ErrorCode::not_found, templ.string() + " does not exist (is --dir the knights folder?)");
  std::error_code ec;
  if (fs::exists(target, ec)) return make_error(ErrorCode::config_error, target.string() + " already exists; not overwriting it");
  // Copy into a temporary sibling and rename, so a failure leaves no half-made knight behind.
  fs::path staging = knights_dir / ("." + name + ".new");
  fs::remove_all(staging, ec);
  fs::copy(templ, staging, fs::copy_options::recursive, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    return make_error(ErrorCode::io_error, "cannot copy " + templ.string() + ": " + ec.message());
  }
  if (auto filled = fill_placeholders(staging, name, domain); !filled) {
    fs::remove_all(staging, ec);
    return filled.error();
  }
  fs::rename(staging, target, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    return make_error(ErrorCode::io_error, "cannot create " + target.string() + ": " + ec.message());
  }
  return target;
}

}  // namespace rt::cli

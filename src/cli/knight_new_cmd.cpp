// knight new: scaffold knights/<name>/ from knights/template/.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "roundtable/cli/cli.hpp"
#include "roundtable/contract/identifiers.hpp"

namespace rt::cli {

namespace fs = std::filesystem;

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) text.replace(pos, from.size(), to);
}

}  // namespace

Command knight_new_command() {
  Command c;
  c.words = {"knight", "new"};
  c.summary = "scaffold a new knight from knights/template/";
  c.usage = R"(usage: roundtable knight new <name> --domain <domain> [--dir knights]

Copies <dir>/template/ to <dir>/<name>/ and fills in the name and domain (the template's
__NAME__ and __DOMAIN__ placeholders). Refuses an existing folder or a name or domain that is
not an identifier ([a-z0-9][a-z0-9-]*). Then: write SOUL.md, check the domains, choose the
model in knight.yaml, commit.
)";
  c.flags = {"DOMAIN", "DIR"};
  c.run = [](const config::Settings& s, const std::vector<std::string>& positional) {
    if (positional.size() != 1) throw config::ConfigError("name", "knight new needs exactly one <name>");
    const std::string& name = positional[0];
    if (!contract::is_identifier(name)) throw config::ConfigError("name", "knight name '" + name + "' is not an identifier ([a-z0-9][a-z0-9-]*)");
    std::string domain = s.identifier("DOMAIN", std::nullopt);
    fs::path dir = s.text("DIR", "knights");
    fs::path templ = dir / "template", target = dir / name;
    if (!fs::is_directory(templ)) throw std::runtime_error(templ.string() + " does not exist");
    if (fs::exists(target)) throw std::runtime_error(target.string() + " already exists; not overwriting it");
    fs::copy(templ, target, fs::copy_options::recursive);
    for (const auto& entry : fs::recursive_directory_iterator(target)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      if (text.find('\0') != std::string::npos) continue;  // binary: leave as is
      std::string before = text;
      replace_all(text, "__NAME__", name);
      replace_all(text, "__DOMAIN__", domain);
      if (text != before) std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << text;
    }
    std::printf("created %s (domain %s)\nnext: edit %s/SOUL.md, check domains and model in %s/knight.yaml, commit\n", target.c_str(),
                domain.c_str(), target.c_str(), target.c_str());
    return 0;
  };
  return c;
}

}  // namespace rt::cli

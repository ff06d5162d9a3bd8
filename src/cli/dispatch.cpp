#include <cstdio>
#include <stdexcept>

#include "roundtable/cli/cli.hpp"
#include "roundtable/cli/mcp/command.hpp"

namespace rt::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table{streams_command(), ask_command(),        fanout_command(), watch_command(),
                                          knights_command(), knight_new_command(), up_command(),
                                          mcp_command(),
                                          consumers_command(), consumers_prune_command(), trace_command(), spend_command(), schedule_render_command(), dashboard_command(),
                                          cancel_command()};
  return table;
}

namespace {

std::string overview() {
  std::string text = "usage: roundtable <command> [options]   (roundtable <command> --help for details)\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string words;
    for (const auto& w : c.words) words += (words.empty() ? "" : " ") + w;
    char line[256];
    std::snprintf(line, sizeof line, "  %-18s %s\n", words.c_str(), c.summary.c_str());
    text += line;
  }
  text += "\nNATS: NATS_URL (nats://127.0.0.1:4222), NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_TLS_*;\n"
          "fleet: FLEET_ID or --fleet (fleet-a). Every setting has a --kebab-case flag.\n";
  return text;
}

bool matches(const Command& c, const std::vector<std::string>& args) {
  if (args.size() < c.words.size()) return false;
  for (size_t i = 0; i < c.words.size(); ++i)
    if (args[i] != c.words[i]) return false;
  return true;
}

// Only the settings this command reads from the environment.
config::EnvMap command_environment(const Command& c, const config::EnvMap& env) {
  config::EnvMap kept;
  auto keep = [&](const std::string& name) {
    if (auto it = env.find(name); it != env.end()) kept[name] = it->second;
  };
  for (const auto& name : kNatsFlags) keep(name);
  for (const auto& name : c.environment) keep(name);
  return kept;
}

}  // namespace

int run(int argc, char** argv, char** envp) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(overview().c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const Command* found = nullptr;
  for (const auto& c : commands())
    if (matches(c, args) && (!found || c.words.size() > found->words.size())) found = &c;
  if (!found) {
    std::fprintf(stderr, "roundtable: unknown command '%s' (see roundtable --help)\n", args[0].c_str());
    return 2;
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(found->words.size()), args.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::fputs(found->usage.c_str(), stdout);
      return 0;
    }
  try {
    config::Settings settings;
    settings.add_env(command_environment(*found, config::environment_from(envp)));
    std::vector<std::string> flags = found->flags;
    flags.insert(flags.end(), kNatsFlags.begin(), kNatsFlags.end());
    flags.insert(flags.end(), kCommonFlags.begin(), kCommonFlags.end());
    auto positional = settings.add_flags(rest, flags, found->boolean_flags);
    return found->run(settings, positional);
  } catch (const config::ConfigError& error) {
    std::fprintf(stderr, "roundtable: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "roundtable: %s\n", error.what());
    return 1;
  }
}

}  // namespace rt::cli

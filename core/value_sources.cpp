// SPDX-License-Identifier: Apache-2.0
#include "value_sources.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <string_view>
#include <vector>

namespace schemagate {

namespace {

// Flag ("--lease-ttl") -> the variable that gave its value, for the options it did.
std::map<std::string, std::string>& from_environment() {
    static std::map<std::string, std::string> flags;
    return flags;
}

// Whether the command line gives `option` (as --name, --name=value, -n or -nvalue). Words
// after a bare "--" are positional arguments, never flags.
bool on_command_line(const CLI::Option& option, const std::vector<std::string_view>& words) {
    for (const auto word : words) {
        for (const auto& name : option.get_lnames()) {
            const std::string flag = "--" + name;
            if (word == flag || word.rfind(flag + "=", 0) == 0) return true;
        }
        for (const auto& name : option.get_snames()) {
            if (word.rfind("--", 0) != 0 && word.rfind("-" + name, 0) == 0) return true;
        }
    }
    return false;
}

// Every option of `app` and of its subcommands, at any depth (CLI11 reads the environment for
// all of them, parsed or not).
std::vector<const CLI::Option*> options_of(const CLI::App& app) {
    std::vector<const CLI::Option*> options;
    std::vector<const CLI::App*> pending{&app};
    while (!pending.empty()) {
        const CLI::App* current = pending.back();
        pending.pop_back();
        for (const CLI::Option* option : current->get_options()) options.push_back(option);
        for (const CLI::App* sub : current->get_subcommands([](const CLI::App*) { return true; })) {
            pending.push_back(sub);
        }
    }
    return options;
}

bool is_flag_character(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

}  // namespace

void record_value_sources(const CLI::App& app, int argc, const char* const* argv) {
    from_environment().clear();
    std::vector<std::string_view> words;
    for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) words.emplace_back(argv[i]);
    for (const CLI::Option* option : options_of(app)) {
        const std::string variable = option->get_envname();
        if (variable.empty()) continue;
        const char* value = std::getenv(variable.c_str());
        if (value == nullptr || *value == '\0' || on_command_line(*option, words)) continue;
        for (const auto& name : option->get_lnames()) from_environment()["--" + name] = variable;
    }
}

std::string name_value_source(const std::string& message) {
    // CLI11 names the option after this prefix when a value does not convert (a flag's
    // "maybe", an integer's "many"); every other message of ours and CLI11's starts with it.
    constexpr std::string_view kConversion = "Could not convert: ";
    const std::size_t start =
        message.rfind(kConversion, 0) == 0 ? kConversion.size() : std::size_t{0};
    if (message.compare(start, 2, "--") != 0) return message;
    std::size_t end = start + 2;
    while (end < message.size() && is_flag_character(message[end])) ++end;
    const auto found = from_environment().find(message.substr(start, end - start));
    if (found == from_environment().end()) return message;
    return message.substr(0, start) + found->second + message.substr(end);
}

}  // namespace schemagate

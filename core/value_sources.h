// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace schemagate {

// Where each setting's value came from, for the messages that refuse it. A value set in a
// ConfigMap (SCHEMAGATE_LEASE_TTL=thirty) must be named by that variable: an operator told
// "--lease-ttl" looks for a flag nobody typed.

// Records, for every option of `app` and of its subcommands that has an environment variable,
// whether that variable gave the option its value. CLI11 reads a variable only when the flag
// is not on the command line and the variable is not empty; so does this. Replaces what an
// earlier call recorded (each binary parses its command line once, before any thread starts).
void record_value_sources(const CLI::App& app, int argc, const char* const* argv);

// `message` with its subject named by where the value came from: the flag the message starts
// with (or that CLI11's "Could not convert: --flag = value" names) becomes its variable when
// the variable gave the value. Every other message comes back unchanged.
std::string name_value_source(const std::string& message);

}  // namespace schemagate

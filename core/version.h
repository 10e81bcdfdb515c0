// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace schemagate {

// Set by CMake from project(VERSION ...).
inline constexpr const char* kVersion = SCHEMAGATE_VERSION;

}  // namespace schemagate

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace schemagate {

// Parses "16MiB", "512KiB", "1GiB", "20000000" (bytes) and Kubernetes' "16Mi"; a bare number
// is bytes. Anything else ("16MB", "1.5MiB", "-1", "", beyond 2^50) is nullopt.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// "16MiB" when exact in KiB/MiB/GiB, else "20000027 bytes (19.1 MiB)" or "1536 bytes (1.5 KiB)".
std::string format_byte_size(std::uint64_t bytes);

}  // namespace schemagate

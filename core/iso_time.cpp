// SPDX-License-Identifier: Apache-2.0
#include "iso_time.h"

#include <fmt/format.h>

#include <ctime>

namespace schemagate {

std::string iso_utc(std::chrono::system_clock::time_point when) {
    const auto since_epoch = when.time_since_epoch();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
    const std::time_t as_time_t = seconds.count();
    std::tm utc{};
    gmtime_r(&as_time_t, &utc);
    char buffer[40];
    const auto length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    return fmt::format("{}.{:03}Z", std::string_view(buffer, length), millis.count());
}

}  // namespace schemagate

// SPDX-License-Identifier: Apache-2.0
#include "batch_progress.h"

#include <algorithm>

namespace schemagate {

std::optional<double> BatchProgress::rows_per_second() const {
    if (elapsed_ms <= 0) return std::nullopt;
    return static_cast<double>(rows) * 1000.0 / static_cast<double>(elapsed_ms);
}

std::optional<double> BatchProgress::eta_seconds() const {
    const auto rate = rows_per_second();
    if (!total || !rate) return std::nullopt;
    if (rows >= *total) return 0.0;
    if (*rate <= 0) return std::nullopt;
    return static_cast<double>(*total - rows) / *rate;
}

}  // namespace schemagate

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace schemagate::testing {

// The Prometheus text exposition format, read the simple way a scraper does: `# TYPE` lines
// give each family's type, every other non-comment line is `<series> <value>`.
struct PrometheusText {
    std::map<std::string, std::string> types;  // family -> gauge, counter, histogram
    std::map<std::string, double> values;      // series with its labels -> value
    std::vector<std::string> series_lines;     // every sample line, as written
    std::vector<std::string> malformed;        // sample lines without a value
};

inline PrometheusText parse_prometheus_text(const std::string& text) {
    PrometheusText parsed;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream words(line.substr(7));
            std::string family, type;
            words >> family >> type;
            parsed.types[family] = type;
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        parsed.series_lines.push_back(line);
        const auto space = line.rfind(' ');
        try {
            if (space == std::string::npos) throw std::invalid_argument(line);
            parsed.values[line.substr(0, space)] = std::stod(line.substr(space + 1));
        } catch (const std::exception&) {
            parsed.malformed.push_back(line);
        }
    }
    return parsed;
}

}  // namespace schemagate::testing

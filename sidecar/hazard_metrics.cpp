// SPDX-License-Identifier: Apache-2.0
#include "hazard_metrics.h"

#include <fmt/format.h>

namespace schemagate {

namespace {

// A label value as the exposition format wants it: \, " and newline escaped (a quoted
// relation name, "Orders", carries quotes).
std::string escaped(const std::string& raw) {
    std::string out;
    for (const char c : raw) {
        if (c == '\n') out += "\\n";
        if (c == '\\' || c == '"') out += '\\';
        if (c != '\n') out += c;
    }
    return out;
}

}  // namespace

void render_hazard_metrics(std::string& out, const std::string& labels,
                           const SchemaSnapshot& snapshot) {
    if (!snapshot.ever_read) return;
    const HazardState& hazards = snapshot.hazards;
    out += fmt::format(
        "# HELP schemagate_hazards_deferred Hazardous migrations left for the migration Job "
        "(--hazards=defer) and not applied yet.\n# TYPE schemagate_hazards_deferred gauge\n"
        "schemagate_hazards_deferred{{{}}} {}\n",
        labels, hazards.deferred.size());
    if (!hazards.deferred.empty()) {
        out +=
            "# HELP schemagate_hazard_deferred 1 per deferred migration and rule; the labels "
            "name them.\n# TYPE schemagate_hazard_deferred gauge\n";
    }
    for (const HazardDeferral& deferral : hazards.deferred) {
        out += fmt::format(
            "schemagate_hazard_deferred{{{},version=\"{}\",rule=\"{}\",relation=\"{}\"}} 1\n",
            labels, escaped(deferral.version.text()), escaped(deferral.rule),
            escaped(deferral.relation));
    }
    out += fmt::format(
        "# HELP schemagate_hazards_allowed Hazards let through by -- schemagate:allow, as the "
        "history records them.\n# TYPE schemagate_hazards_allowed gauge\n"
        "schemagate_hazards_allowed{{{}}} {}\n",
        labels, hazards.allowed);
}

}  // namespace schemagate

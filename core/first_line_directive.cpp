// SPDX-License-Identifier: Apache-2.0
#include "first_line_directive.h"

#include <cctype>
#include <string>

namespace schemagate {

bool first_line_is_directive(std::string_view text, std::string_view directive) {
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
    const auto first_line = text.substr(0, text.find_first_of("\r\n"));
    std::string compact;
    for (const char c : first_line) {
        if (std::isspace(static_cast<unsigned char>(c)) == 0) compact += c;
    }
    return compact == directive;
}

}  // namespace schemagate

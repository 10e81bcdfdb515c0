// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace schemagate {

// The migration tools whose history tables schemagate recognises, takes over from (adopt) and
// keeps in step (--compat).
enum class OtherTool { kFlyway, kGolangMigrate, kDbmate, kGoose, kPrisma, kDiesel, kSqlx };

inline constexpr std::array<OtherTool, 7> kOtherTools = {
    OtherTool::kFlyway, OtherTool::kGolangMigrate, OtherTool::kDbmate, OtherTool::kGoose,
    OtherTool::kPrisma, OtherTool::kDiesel,        OtherTool::kSqlx};

// "flyway", "golang-migrate", "dbmate", "goose": the names the flags take.
inline std::string tool_name(OtherTool tool) {
    switch (tool) {
        case OtherTool::kFlyway:
            return "flyway";
        case OtherTool::kGolangMigrate:
            return "golang-migrate";
        case OtherTool::kDbmate:
            return "dbmate";
        case OtherTool::kGoose:
            return "goose";
        case OtherTool::kPrisma:
            return "prisma";
        case OtherTool::kDiesel:
            return "diesel";
        case OtherTool::kSqlx:
            return "sqlx";
    }
    return "unknown";
}

inline std::optional<OtherTool> tool_named(std::string_view name) {
    for (const OtherTool tool : kOtherTools) {
        if (tool_name(tool) == name) return tool;
    }
    return std::nullopt;
}

}  // namespace schemagate

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace schemagate {

// The migration tools whose history tables schemagate recognises, takes over from (adopt) and
// keeps in step (--compat).
// Atlas and Liquibase are taken over (adopt), not kept in step.
enum class OtherTool {
    kFlyway,
    kGolangMigrate,
    kDbmate,
    kGoose,
    kPrisma,
    kDiesel,
    kSqlx,
    kAtlas,
    kLiquibase
};

inline constexpr std::array<OtherTool, 9> kOtherTools = {
    OtherTool::kFlyway, OtherTool::kGolangMigrate, OtherTool::kDbmate,
    OtherTool::kGoose,  OtherTool::kPrisma,        OtherTool::kDiesel,
    OtherTool::kSqlx,   OtherTool::kAtlas,         OtherTool::kLiquibase};

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
        case OtherTool::kAtlas:
            return "atlas";
        case OtherTool::kLiquibase:
            return "liquibase";
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

// SPDX-License-Identifier: Apache-2.0
#include "unsupported_layouts.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "ascii.h"

namespace schemagate {

namespace {

std::string_view file_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool starts_with_digits(std::string_view name) {
    return !name.empty() && std::isdigit(static_cast<unsigned char>(name.front())) != 0;
}

bool in_folder(std::string_view path, std::string_view folder) {
    const std::string text = "/" + std::string(path);
    return text.find("/" + std::string(folder) + "/") != std::string::npos;
}

struct Signature {
    const char* tool;  // what the message names
    bool (*matches)(std::string_view path, std::string_view name);
};

// Each tool as its documentation lays its migrations out.
constexpr Signature kSignatures[] = {
    {"a Sqitch project, whose order is its plan, not file names",
     [](std::string_view, std::string_view name) {
         return name == "sqitch.plan" || name == "sqitch.conf";
     }},
    {"Rails (Active Record) migrations, which are Ruby",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && name.ends_with(".rb");
     }},
    {"Alembic migrations, which are Python",
     [](std::string_view path, std::string_view name) {
         return name == "alembic.ini" || name == "script.py.mako" ||
                (in_folder(path, "versions") && name.ends_with(".py"));
     }},
    {"Django migrations, which are Python",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && name.ends_with(".py");
     }},
    {"JavaScript/TypeScript migrations (Knex, TypeORM, Sequelize, node-pg-migrate)",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && (name.ends_with(".js") || name.ends_with(".ts") ||
                                             name.ends_with(".cjs") || name.ends_with(".mjs"));
     }},
    {"goose Go migrations, which are Go code",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && name.ends_with(".go");
     }},
    {"Flyway Java-based migrations",
     [](std::string_view, std::string_view name) {
         return name.size() > 1 && name.front() == 'V' &&
                std::isdigit(static_cast<unsigned char>(name[1])) != 0 &&
                (name.ends_with(".java") || name.ends_with(".class") || name.ends_with(".kt"));
     }},
    {"Ecto migrations, which are Elixir",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && name.ends_with(".exs");
     }},
    {"Laravel migrations, which are PHP",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && name.ends_with(".php");
     }},
    {"Entity Framework migrations, which are C#",
     [](std::string_view, std::string_view name) {
         return starts_with_digits(name) && name.ends_with(".cs");
     }},
};

}  // namespace

std::optional<std::string> recognise_unsupported_layout(const std::vector<std::string>& files) {
    for (const Signature& signature : kSignatures) {
        for (const std::string& path : files) {
            if (signature.matches(path, file_name(path))) {
                return "looks like " + std::string(signature.tool) + " (" + path +
                       "): schemagate runs SQL migration files (Flyway, golang-migrate, dbmate, "
                       "goose, sqlx, Prisma, diesel layouts); convert them to SQL, or keep "
                       "that tool";
            }
        }
    }
    return std::nullopt;
}

}  // namespace schemagate

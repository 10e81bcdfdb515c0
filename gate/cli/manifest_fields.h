// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace schemagate {

// Reading rendered Kubernetes objects, whose fields may be missing or of any type: every
// accessor answers "absent" rather than throwing.

// A string field of nested objects, or "" when any step is missing or of another type.
inline std::string text_at(const nlohmann::json& object, std::initializer_list<const char*> path) {
    const nlohmann::json* node = &object;
    for (const char* key : path) {
        if (!node->is_object() || !node->contains(key)) return "";
        node = &(*node)[key];
    }
    return node->is_string() ? node->get<std::string>() : "";
}

// The array at `key` of an object, or an empty array.
inline const nlohmann::json& array_at(const nlohmann::json& object, const char* key) {
    static const nlohmann::json empty = nlohmann::json::array();
    if (!object.is_object() || !object.contains(key) || !object[key].is_array()) return empty;
    return object[key];
}

// The object at `key` of an object, or an empty object.
inline const nlohmann::json& object_at(const nlohmann::json& object, const char* key) {
    static const nlohmann::json empty = nlohmann::json::object();
    if (!object.is_object() || !object.contains(key) || !object[key].is_object()) return empty;
    return object[key];
}

}  // namespace schemagate

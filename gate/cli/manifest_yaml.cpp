// SPDX-License-Identifier: Apache-2.0
#include "manifest_yaml.h"

#include <yaml.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "errors.h"

namespace schemagate {

namespace {

using nlohmann::json;

bool is_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// [-+]? then digits, with at most one '.' and an exponent: YAML 1.2 core's int and float.
bool is_number(std::string_view text, bool& integral) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
    const auto exponent = text.find_first_of("eE");
    std::string_view mantissa = text.substr(0, exponent);
    integral = exponent == std::string_view::npos && mantissa.find('.') == std::string_view::npos;
    if (exponent != std::string_view::npos) {
        std::string_view power = text.substr(exponent + 1);
        if (!power.empty() && (power.front() == '-' || power.front() == '+'))
            power.remove_prefix(1);
        if (!is_digits(power)) return false;
    }
    const auto dot = mantissa.find('.');
    if (dot == std::string_view::npos) return is_digits(mantissa);
    const auto whole = mantissa.substr(0, dot);
    const auto fraction = mantissa.substr(dot + 1);
    return (whole.empty() || is_digits(whole)) && (fraction.empty() || is_digits(fraction)) &&
           !(whole.empty() && fraction.empty());
}

// A plain scalar's value under YAML 1.2's core schema, which is how Kubernetes' own YAML
// reader (sigs.k8s.io/yaml, through JSON) types `replicas: 3`, `optional: true`, `value: ~`.
json plain_scalar(const std::string& text) {
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
        return nullptr;
    }
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    bool integral = false;
    if (!is_number(text, integral)) return text;
    try {
        if (integral) return std::stoll(text);
        return std::stod(text);
    } catch (const std::out_of_range&) {
        return text;  // too large for a number: kept as written
    }
}

// A scalar's value: quoted, block (`|`, `>`) and explicitly tagged ones are strings as written.
json scalar_value(const yaml_event_t& event) {
    const auto& scalar = event.data.scalar;
    std::string text(reinterpret_cast<const char*>(scalar.value), scalar.length);
    const bool plain =
        scalar.style == YAML_PLAIN_SCALAR_STYLE || scalar.style == YAML_ANY_SCALAR_STYLE;
    return plain && scalar.plain_implicit ? plain_scalar(text) : json(std::move(text));
}

// The nodes of a value, counted without recursion.
std::size_t node_count(const json& value) {
    std::size_t count = 0;
    std::vector<const json*> pending{&value};
    while (!pending.empty()) {
        const json* node = pending.back();
        pending.pop_back();
        ++count;
        if (node->is_structured()) {
            for (const auto& child : *node) pending.push_back(&child);
        }
    }
    return count;
}

std::string anchor_of(const yaml_char_t* anchor) {
    return anchor == nullptr ? "" : reinterpret_cast<const char*>(anchor);
}

// Mappings and sequences being built, innermost last: the parser's events arrive depth first,
// so a stack (not recursion) turns them into values whatever the nesting.
class DocumentBuilder {
  public:
    explicit DocumentBuilder(std::string source) : source_(std::move(source)) {}

    // Consumes one event; the finished documents accumulate in documents().
    void take(const yaml_event_t& event) {
        const int line = static_cast<int>(event.start_mark.line) + 1;
        switch (event.type) {
            case YAML_SCALAR_EVENT:
                take_scalar(event, line);
                break;
            case YAML_SEQUENCE_START_EVENT:
                open(json::array(), anchor_of(event.data.sequence_start.anchor), line);
                break;
            case YAML_MAPPING_START_EVENT:
                open(json::object(), anchor_of(event.data.mapping_start.anchor), line);
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT:
                close(line);
                break;
            case YAML_ALIAS_EVENT:
                take_alias(anchor_of(event.data.alias.anchor), line);
                break;
            case YAML_DOCUMENT_END_EVENT:
                if (root_ && !root_->is_null()) documents_.push_back(std::move(*root_));
                root_.reset();
                break;
            default:
                break;
        }
    }

    std::vector<json>& documents() { return documents_; }

  private:
    struct Open {
        json value;
        std::string anchor;
        std::string key;  // a mapping's key waiting for its value
        bool has_key = false;
    };
    static constexpr std::size_t kMaxDepth = 256;
    static constexpr std::size_t kAliasNodes = 1000000;

    [[noreturn]] void fail(const std::string& what, int line) const {
        throw FatalError(ExitCode::kBadInput,
                         source_ + ": " + what + " at line " + std::to_string(line));
    }

    void take_scalar(const yaml_event_t& event, int line) {
        if (!open_.empty() && open_.back().value.is_object() && !open_.back().has_key) {
            const auto& scalar = event.data.scalar;
            open_.back().key.assign(reinterpret_cast<const char*>(scalar.value), scalar.length);
            open_.back().has_key = true;
            if (open_.back().value.contains(open_.back().key)) {
                fail("key '" + open_.back().key + "' given twice in one mapping", line);
            }
            return;
        }
        json value = scalar_value(event);
        remember(anchor_of(event.data.scalar.anchor), value);
        add(std::move(value), line);
    }

    // Each alias copies its anchor's value: a few nested ones multiply (the "billion laughs"),
    // so the copies share one budget of nodes.
    void take_alias(const std::string& anchor, int line) {
        const auto found = anchors_.find(anchor);
        if (found == anchors_.end()) fail("alias *" + anchor + " names no anchor", line);
        const std::size_t nodes = anchor_nodes_[anchor];
        if (nodes > alias_budget_) {
            fail("aliases expand to more than " + std::to_string(kAliasNodes) + " nodes", line);
        }
        alias_budget_ -= nodes;
        add(json(found->second), line);
    }

    void open(json container, std::string anchor, int line) {
        if (!open_.empty() && open_.back().value.is_object() && !open_.back().has_key) {
            fail("a mapping or sequence used as a key", line);
        }
        if (open_.size() >= kMaxDepth) fail("nested deeper than 256 levels", line);
        open_.push_back(Open{std::move(container), std::move(anchor), "", false});
    }

    void close(int line) {
        Open done = std::move(open_.back());
        open_.pop_back();
        remember(done.anchor, done.value);
        add(std::move(done.value), line);
    }

    void remember(const std::string& anchor, const json& value) {
        if (anchor.empty()) return;
        anchors_[anchor] = value;
        anchor_nodes_[anchor] = node_count(value);
    }

    void add(json value, int line) {
        if (open_.empty()) {
            root_ = std::move(value);
            return;
        }
        Open& top = open_.back();
        if (top.value.is_array()) {
            top.value.push_back(std::move(value));
        } else if (top.has_key) {
            top.value[top.key] = std::move(value);
            top.has_key = false;
        } else {
            fail("a mapping key that is not a scalar", line);
        }
    }

    std::string source_;
    std::vector<Open> open_;
    std::optional<json> root_;
    std::map<std::string, json> anchors_;
    std::map<std::string, std::size_t> anchor_nodes_;
    std::size_t alias_budget_ = kAliasNodes;
    std::vector<json> documents_;
};

}  // namespace

std::vector<json> read_yaml_documents(std::istream& in, const std::string& source) {
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    yaml_parser_t parser;
    if (yaml_parser_initialize(&parser) == 0) {
        throw FatalError(ExitCode::kBadInput, source + ": cannot start the YAML parser");
    }
    const std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> owner(&parser,
                                                                         yaml_parser_delete);
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    DocumentBuilder builder(source);
    for (bool done = false; !done;) {
        yaml_event_t event;
        if (yaml_parser_parse(&parser, &event) == 0) {
            throw FatalError(ExitCode::kBadInput,
                             source + ": not valid YAML at line " +
                                 std::to_string(parser.problem_mark.line + 1) + ": " +
                                 (parser.problem != nullptr ? parser.problem : "unreadable"));
        }
        const std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> event_owner(&event,
                                                                                 yaml_event_delete);
        done = event.type == YAML_STREAM_END_EVENT;
        builder.take(event);
    }
    return std::move(builder.documents());
}

}  // namespace schemagate

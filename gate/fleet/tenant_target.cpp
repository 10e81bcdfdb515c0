// SPDX-License-Identifier: Apache-2.0
#include "tenant_target.h"

#include <fstream>

#include "database_target.h"
#include "errors.h"
#include "tenant_names.h"

namespace schemagate {

namespace {

// Stands for a tenant while the URL template is checked: where it lands in the parsed URL.
constexpr const char* kProbeTenant = "schemagateprobetenant";
constexpr std::size_t kLongestIdentifier = 63;

std::string read_template_file(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw FatalError(ExitCode::kBadInput, "--tenant-url-file " + path + ": cannot be read");
    }
    std::string text;
    std::getline(stream, text);
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text;
}

// The database name of a target's description ("user@host:port/dbname").
std::string database_of(const DatabaseTarget& target) {
    const auto slash = target.description.rfind('/');
    return slash == std::string::npos ? "" : target.description.substr(slash + 1);
}

}  // namespace

std::string quoted_identifier(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string tenant_search_path(const std::string& schema) {
    return quoted_identifier(schema) + ",public";
}

TenantTargets::TenantTargets(const FleetOptions& options, ConnectOptions control,
                             StateLocation state)
    : control_(std::move(control)), state_(std::move(state)) {
    url_template_ = options.tenant_url;
    url_source_ = "--tenant-url";
    if (url_template_.empty() && !options.tenant_url_file.empty()) {
        url_template_ = read_template_file(options.tenant_url_file);
        url_source_ = "--tenant-url-file " + options.tenant_url_file;
    }
    schema_template_ = options.tenant_schema;
    if (url_template_.empty() == schema_template_.empty()) {
        throw FatalError(ExitCode::kBadInput,
                         "--tenant-schema or --tenant-url: give exactly one (schema per tenant, "
                         "or database per tenant)");
    }
    const std::string& pattern = per_database() ? url_template_ : schema_template_;
    const std::string flag = per_database() ? url_source_ : "--tenant-schema";
    if (pattern.find("{tenant}") == std::string::npos) {
        throw FatalError(ExitCode::kBadInput, flag + ": must hold {tenant}");
    }
    if (!per_database()) return;
    const DatabaseTarget probe =
        resolve_database_target(expand_tenant(url_template_, kProbeTenant), "", url_source_);
    const std::string database = database_of(probe);
    const std::string elsewhere =
        probe.description.substr(0, probe.description.size() - database.size());
    if (database.find(kProbeTenant) == std::string::npos ||
        elsewhere.find(kProbeTenant) != std::string::npos) {
        throw FatalError(ExitCode::kBadInput,
                         url_source_ + ": {tenant} must be in the database name, and only there");
    }
}

void TenantTargets::check(const std::vector<std::string>& tenants) const {
    for (const auto& tenant : tenants) {
        const TenantTarget target = of(tenant);
        const std::string name =
            per_database() ? database_of(target.connect.target) : target.schema;
        const std::string what = per_database() ? "database" : "schema";
        std::string problem;
        if (name.size() > kLongestIdentifier) problem = " is longer than 63 bytes";
        if (name.rfind("pg_", 0) == 0) problem = " is reserved by PostgreSQL (pg_*)";
        if (!per_database() && name == state_.schema) problem = " is the state schema (--schema)";
        // A tenant's set is named after its schema: "default" would be the app's own set.
        if (!per_database() && state_.name == "default" && name == "default")
            problem = " would share the default migration set's lease and history (give --name)";
        if (!problem.empty()) {
            std::string message = "tenant " + tenant;
            message += ": its ";
            message += what;
            message += " '";
            message += name;
            message += "'";
            message += problem;
            throw FatalError(ExitCode::kBadInput, message);
        }
    }
}

TenantTarget TenantTargets::of(const std::string& tenant) const {
    TenantTarget target;
    target.tenant = tenant;
    target.connect = control_;
    target.connect.application_name = control_.application_name + " " + tenant;
    if (per_database()) {
        target.connect.target =
            resolve_database_target(expand_tenant(url_template_, tenant), "", url_source_);
        target.connect.url_file.clear();
        target.state = state_;
        return target;
    }
    target.schema = expand_tenant(schema_template_, tenant);
    target.state = state_;
    target.state.name =
        state_.name == "default" ? target.schema : state_.name + "/" + target.schema;
    target.connect.server_settings = {{"search_path", tenant_search_path(target.schema)}};
    return target;
}

}  // namespace schemagate

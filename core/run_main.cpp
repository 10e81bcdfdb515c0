// SPDX-License-Identifier: Apache-2.0
#include "run_main.h"

#include "db_failure.h"
#include "errors.h"
#include "value_sources.h"

namespace schemagate {

int run_main(const std::function<int()>& body,
             const std::function<void(ExitCode, const std::string&)>& report) {
    const auto fail = [&report](ExitCode code, const std::string& message) {
        report(code, message);
        return to_int(code);
    };
    try {
        return translate_db_errors(body);
    } catch (const FatalError& e) {
        // "--migrations: cannot list ..." names SCHEMAGATE_MIGRATIONS when that gave the value.
        return fail(e.code(), name_value_source(e.what()));
    } catch (const ConnectionLost& e) {
        return fail(ExitCode::kUnreachable, "database connection lost: " + e.failure().message);
    } catch (const RetryableError& e) {
        return fail(ExitCode::kUnreachable, e.what());
    } catch (const DbError& e) {
        if (e.failure().kind == DbFailure::Kind::kOther) {
            return fail(ExitCode::kMigrationFailed, "internal error: " + e.failure().message);
        }
        return fail(ExitCode::kMigrationFailed, "database error: " + with_detail(e.failure()));
    }
}

}  // namespace schemagate

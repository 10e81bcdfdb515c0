// SPDX-License-Identifier: Apache-2.0
#include "live_readers.h"

#include <pqxx/nontransaction>
#include <pqxx/result_iterator.hxx>

#include "db_failure.h"

namespace schemagate {

std::vector<LiveReader> read_live_readers(pqxx::connection& connection,
                                          const StateLocation& where) {
    const std::string tag = reader_set_tag(where);
    const auto rows = translate_db_errors([&] {
        pqxx::nontransaction work(connection);
        return work.exec_params(
            "SELECT pid, application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE $1 ORDER BY pid",
            std::string(kReaderNamePrefix) + tag + " %");
    });
    std::vector<LiveReader> readers;
    for (const auto& row : rows) {
        if (auto identity = decode_reader_name(row[1].as<std::string>())) {
            readers.push_back(LiveReader{row[0].as<int>(), std::move(*identity)});
        }
    }
    return readers;
}

}  // namespace schemagate

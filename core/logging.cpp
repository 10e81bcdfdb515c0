// SPDX-License-Identifier: Apache-2.0
#include "logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "iso_time.h"
#include "secret_scrubber.h"

namespace schemagate {

namespace {

class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    ScrubbingStderrSink(std::string program, LogFormat format)
        : program_(std::move(program)), format_(format) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::string text = scrub(std::string_view(msg.payload.data(), msg.payload.size()));
        const auto level_name = spdlog::level::to_string_view(msg.level);
        std::string line;
        if (format_ == LogFormat::kJson) {
            nlohmann::json event{{"ts", iso_utc(msg.time)},
                                 {"level", std::string(level_name.data(), level_name.size())},
                                 {"program", program_},
                                 {"msg", text}};
            line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } else {
            line = fmt::format("{} {:<5} {}", iso_utc(msg.time),
                               std::string_view(level_name.data(), level_name.size()), text);
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }

  private:
    std::string program_;
    LogFormat format_;
};

}  // namespace

void setup_logging(const std::string& program, LogFormat format, bool verbose) {
    auto sink = std::make_shared<ScrubbingStderrSink>(program, format);
    auto logger = std::make_shared<spdlog::logger>(program, std::move(sink));
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    // Every line matters when a pod is killed a moment later.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace schemagate
